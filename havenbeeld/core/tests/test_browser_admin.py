"""Browser test: the administrator's pages pass axe (reference data, audit log, users)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from havenbeeld.core.browser_fixtures import axe_check
from havenbeeld.core.testing import PASSWORD, build_world, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administration_pages_are_accessible(new_page):
    world = build_world()
    page = new_page()
    page.goto("/inloggen/")
    page.fill("#id_email", world.platform_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("#id_code", current_code(world.platform_admin))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/werkruimte/$"))
    for path in ("/beheer/referentie/organisaties/", "/beheer/referentie/organisaties/nieuw/",
                 "/beheer/referentie/grondslagen/", "/beheer/auditlog/?verify=1",
                 "/beheer/gebruikers/", "/samenwerkingsgroepen/", "/mijn-account/",
                 "/informatieverzoeken/", "/importeren/"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        axe_check(page)
