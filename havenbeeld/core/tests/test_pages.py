"""Health check, navigation, area pages, language switch, security headers."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.test import Client

import pytest

from havenbeeld.accounts import policy
from havenbeeld.core.areas import AREAS
from havenbeeld.core.testing import verified_client

pytestmark = pytest.mark.django_db


def test_health_answers_ok_with_the_database_state(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


def test_health_answers_503_when_the_database_does_not(client):
    with mock.patch("havenbeeld.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("database is gone")
        connection.vendor = "sqlite"
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {**response.json(), "status": "unavailable",
                               "database": "unavailable"}


@pytest.mark.parametrize("path", ["/werkruimte/", "/onderdeel/signalen/", "/beheer/aanvragen/",
                                  "/beheer/gebruikers/", "/herstelcodes/"])
def test_private_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


def test_navigation_shows_the_areas_a_user_may_use_and_an_unbuilt_area_says_so(world):
    client = verified_client(world.municipal_reader)
    body = client.get("/werkruimte/").content.decode()
    for area in AREAS:
        shown = f'href="/onderdeel/{area.slug}/"' in body
        may = area.action is None or policy.can(world.municipal_reader,
                                                policy.Action(area.action))
        assert shown == may, area.slug  # matches are for analysts
    assert 'href="/onderdeel/koppelingen/"' in verified_client(
        world.police_analyst).get("/werkruimte/").content.decode()
    page = client.get("/onderdeel/analyses/").content.decode()
    assert "nog niet beschikbaar" in page
    assert client.get("/onderdeel/bestaat-niet/").status_code == 404


def test_administration_link_only_for_those_who_may_use_it(world):
    assert 'href="/beheer/aanvragen/"' in verified_client(
        world.police_coordinator).get("/werkruimte/").content.decode()
    assert 'href="/beheer/aanvragen/"' not in verified_client(
        world.police_analyst).get("/werkruimte/").content.decode()


def test_dutch_by_default_and_english_on_request():
    client = Client()
    assert '<html lang="nl">' in client.get("/").content.decode()
    client.post("/taal/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Request an account" in body


def test_pages_carry_a_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_dutch_even_when_the_browser_prefers_english():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = client.get("/").content.decode()
    assert '<html lang="nl">' in body and "Account aanvragen" in body
