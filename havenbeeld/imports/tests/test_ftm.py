"""FollowTheMoney export and import: per-viewer content, round trip, idempotency."""

from __future__ import annotations

import json

import pytest
from followthemoney import model

from havenbeeld.imports.ftm import export_entities, import_entities
from havenbeeld.registry.models import (
    ObjectKind,
    Piece,
    Property,
    RegistryObject,
    RelationType,
    Source,
)
from havenbeeld.registry.services import Fact, Provenance, create_object, record_pieces
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(world):
    basis = LegalBasis.objects.get(code="wgs")
    prov = Provenance(Source.MANUAL, Distribution.CONVENANT, basis)
    company = create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                            facts=[Fact(Property.NAME, "Zuidkade Handel B.V."),
                                   Fact(Property.IDENTIFIER, "12345678", scheme="kvk"),
                                   Fact(Property.FOUNDED, "2001-05-04")], provenance=prov)
    person = create_object(actor=world.customs_analyst, kind=ObjectKind.PERSON,
                           facts=[Fact(Property.NAME, "Jan de Vries")], provenance=prov)
    record_pieces(actor=world.customs_analyst, obj=person,
                  facts=[Fact(Property.RELATION, "Zuidkade Handel B.V.",
                              relation=RelationType.DIRECTOR_OF, target=company)],
                  provenance=prov)
    return company, person


def test_export_yields_valid_ftm_entities_with_links(world, network):
    entities = list(export_entities(world.police_analyst))
    schemas = sorted(e["schema"] for e in entities)
    assert schemas == ["Company", "Directorship", "Person"]
    for entity in entities:
        model.get_proxy(entity)  # validates against the FtM schema
    company = next(e for e in entities if e["schema"] == "Company")
    assert company["properties"]["registrationNumber"] == ["12345678"]
    assert company["properties"]["incorporationDate"] == ["2001-05-04"]


def test_export_holds_only_what_the_viewer_sees(world, network):
    assert list(export_entities(world.terminal_contributor)) == []


def test_import_round_trip_is_idempotent(world, network):
    lines = [json.dumps(e) for e in export_entities(world.police_analyst)]
    basis = LegalBasis.objects.get(code="wpg")
    prov = Provenance(Source.IMPORT, Distribution.OWN, basis)
    before = RegistryObject.objects.count()
    report = import_entities(actor=world.police_analyst, lines=lines, provenance=prov)
    assert report.objects_created == 2 and report.links == 1 and not report.errors
    assert RegistryObject.objects.count() == before + 2
    again = import_entities(actor=world.police_analyst, lines=lines, provenance=prov)
    assert again.objects_created == 0 and again.pieces_recorded == 0 and again.links == 0
    imported = Piece.objects.filter(organisation=world.police, property=Property.RELATION)
    assert imported.count() == 1


def test_bad_lines_are_reported_and_the_rest_imported(world):
    lines = ['{"id": "x", "schema": "Company", "properties": {"name": ["Goed B.V."]}}',
             "not json", '{"id": "y", "schema": "Nonsense", "properties": {}}',
             '{"id": "z", "schema": "Company", "properties": {"registrationNumber": ["12"]}}']
    report = import_entities(actor=world.police_analyst, lines=lines, provenance=Provenance(
        Source.IMPORT, Distribution.OWN, LegalBasis.objects.get(code="wpg")))
    assert report.objects_created == 1
    assert [n for n, _m in report.errors] == [2, 3, 4]
