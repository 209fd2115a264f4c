"""Purpose binding: a person's picture opens only for a stated, audited purpose."""

from __future__ import annotations

from django.test import Client

import pytest

from havenbeeld.accounts.services.tokens import issue_token
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import verified_client
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    return create_object(actor=world.police_analyst, kind=ObjectKind.PERSON,
                         facts=[Fact(Property.NAME, "Pieter Verbrugge")],
                         provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                               LegalBasis.objects.get(code="wpg")))


def test_a_person_picture_asks_for_a_purpose_first(world, person):
    client = verified_client(world.customs_analyst)
    first = client.get(f"/objecten/{person.pk}/").content.decode()
    assert 'name="purpose"' in first and "Pieter Verbrugge" not in first
    bad = client.post(f"/objecten/{person.pk}/", {"purpose": ""})
    assert bad.status_code == 400
    client.post(f"/objecten/{person.pk}/", {"purpose": "Analyse 2026-014 Waalhaven"})
    page = client.get(f"/objecten/{person.pk}/").content.decode()
    assert "Pieter Verbrugge" in page
    viewed = AuditEvent.objects.filter(event_type=EventType.PICTURE_VIEWED).last()
    assert viewed.details["purpose"] == "Analyse 2026-014 Waalhaven"
    assert AuditEvent.objects.filter(event_type=EventType.PURPOSE_STATED).count() == 1


def test_exporting_a_person_needs_the_purpose_too(world, person):
    client = verified_client(world.customs_analyst)
    response = client.get(f"/objecten/{person.pk}/export.csv")
    assert response.status_code == 302
    client.post(f"/objecten/{person.pk}/", {"purpose": "Zaak 77"})
    exported = client.get(f"/objecten/{person.pk}/export.csv")
    assert exported.status_code == 200
    event = AuditEvent.objects.filter(event_type=EventType.PICTURE_EXPORTED).last()
    assert event.details["purpose"] == "Zaak 77"


def test_companies_need_no_purpose(world, company):
    body = verified_client(world.police_analyst).get(f"/objecten/{company.pk}/").content.decode()
    assert 'name="purpose"' not in body


def test_the_api_needs_a_purpose_for_persons(world, person):
    _token, secret = issue_token(actor=world.customs_analyst, user=world.customs_analyst,
                                 name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    missing = Client().get(f"/api/objects/{person.pk}", **headers)
    assert missing.status_code == 422 and missing.json()["field"] == "purpose"
    ok = Client().get(f"/api/objects/{person.pk}", {"purpose": "Zaak 77"}, **headers)
    assert ok.status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.PURPOSE_STATED,
                                     details__purpose="Zaak 77").exists()
