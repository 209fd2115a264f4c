"""Organisations and legal bases kept by platform administrators, audited."""

from __future__ import annotations

import pytest

from havenbeeld.accounts.models import Organisation
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import verified_client
from havenbeeld.sharing.models import LegalBasis

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_an_organisation(world):
    client = verified_client(world.platform_admin)
    response = client.post("/beheer/referentie/organisaties/nieuw/", {
        "name": "Gemeente Moerdijk", "sector": "public", "kind": "municipality",
        "region": "zeeland-west-brabant", "email_domains": "moerdijk.example",
        "active": "on"})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Gemeente Moerdijk").is_convenant_partner
    assert AuditEvent.objects.filter(event_type=EventType.REFERENCE_CHANGED).exists()
    assert "Gemeente Moerdijk" in client.get("/beheer/referentie/organisaties/").content.decode()


def test_a_police_organisation_cannot_be_made_private(world):
    response = verified_client(world.platform_admin).post(
        "/beheer/referentie/organisaties/nieuw/",
        {"name": "Nep", "sector": "private", "kind": "police", "region": "rotterdam"})
    assert response.status_code == 400
    assert not Organisation.objects.filter(name="Nep").exists()


def test_an_administrator_edits_a_legal_basis(world):
    basis = LegalBasis.objects.get(code="wgs")
    client = verified_client(world.platform_admin)
    data = {"code": "wgs", "name": basis.name, "description": basis.description,
            "retention_days": 1000, "active": "on", "allows_bsn": "on"}
    assert client.post(f"/beheer/referentie/grondslagen/{basis.pk}/", data).status_code == 302
    basis.refresh_from_db()
    assert basis.retention_days == 1000
    event = AuditEvent.objects.get(event_type=EventType.REFERENCE_CHANGED)
    assert "retention_days" in event.details["fields"]


@pytest.mark.parametrize("persona", ["police_coordinator", "police_analyst",
                                     "terminal_coordinator"])
def test_others_cannot_keep_reference_data(world, persona):
    client = verified_client(getattr(world, persona))
    assert client.get("/beheer/referentie/organisaties/").status_code == 403
    assert client.post("/beheer/referentie/grondslagen/nieuw/",
                       {"code": "x", "name": "x"}).status_code == 403
