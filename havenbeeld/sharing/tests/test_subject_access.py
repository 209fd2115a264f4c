"""Data-subject access: what is held on a person, from whom, under which basis, who looked."""

from __future__ import annotations

import pytest

from havenbeeld.core.testing import verified_client
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    return create_object(actor=world.police_analyst, kind=ObjectKind.PERSON,
                         facts=[Fact(Property.NAME, "Pieter Verbrugge"),
                                Fact(Property.BIRTH_DATE, "1980-02-03")],
                         provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                               LegalBasis.objects.get(code="wpg")))


def test_the_privacy_officer_gets_pieces_and_viewings_without_values(world, person):
    viewer = verified_client(world.customs_analyst)
    viewer.post(f"/objecten/{person.pk}/", {"purpose": "Zaak 88"})
    viewer.get(f"/objecten/{person.pk}/")
    report = b"".join(verified_client(world.platform_admin).get(
        f"/beheer/inzageverzoek/{person.pk}.csv").streaming_content).decode()
    assert "Zeehavenpolitie" in report and "Wet politiegegevens" in report
    assert "analist@douane.example" in report and "Zaak 88" in report
    assert "Pieter Verbrugge" not in report and "1980-02-03" not in report


def test_only_the_privacy_officer_and_only_for_persons(world, person, company):
    assert verified_client(world.police_coordinator).get(
        f"/beheer/inzageverzoek/{person.pk}.csv").status_code == 403
    assert verified_client(world.platform_admin).get(
        f"/beheer/inzageverzoek/{company.pk}.csv").status_code == 404
