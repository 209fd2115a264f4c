"""The network view and the map: only visible relations, labels the viewer may see."""

from __future__ import annotations

import pytest

from havenbeeld.core.testing import verified_client
from havenbeeld.places.geo import approximate_location
from havenbeeld.registry.models import ObjectKind, Property, RelationType, Source
from havenbeeld.registry.network import build_network
from havenbeeld.registry.services import Fact, Provenance, create_object, record_pieces
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(world, basis, company):
    """Police know a person as director of the company; only police see the relation."""
    person = create_object(actor=world.police_analyst, kind=ObjectKind.PERSON,
                           facts=[Fact(Property.NAME, "Pieter Verbrugge")],
                           provenance=Provenance(Source.MANUAL, Distribution.OWN, basis))
    record_pieces(actor=world.police_analyst, obj=person,
                  facts=[Fact(Property.RELATION, "Kaaiwacht Logistiek B.V.",
                              relation=RelationType.DIRECTOR_OF, target=company)],
                  provenance=Provenance(Source.MANUAL, Distribution.OWN, basis))
    return person


def test_the_network_shows_relations_the_viewer_may_see(world, company, director):
    network = build_network(world.police_analyst, company)
    assert {n["label"] for n in network.nodes.values()} == {"Kaaiwacht Logistiek B.V.",
                                                            "Pieter Verbrugge"}
    [edge] = network.edges.values()
    assert edge["source"] == director.pk and edge["target"] == company.pk


def test_a_relation_the_viewer_may_not_see_is_not_in_the_network(world, company, director):
    network = build_network(world.customs_analyst, company)
    assert list(network.nodes) == [company.pk] and not network.edges
    body = verified_client(world.customs_analyst).get(
        f"/objecten/{company.pk}/netwerk.json").json()
    assert "Pieter" not in str(body)


def test_the_far_end_carries_only_the_label_of_the_relation_piece(world, basis, company):
    # Customs shares a relation to an object whose own pieces the terminal cannot see.
    shipper = create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                            facts=[Fact(Property.NAME, "Geheime Verscheper S.A.")],
                            provenance=Provenance(Source.MANUAL, Distribution.OWN, basis))
    container = create_object(
        actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
        facts=[Fact(Property.IDENTIFIER, "CSQU3054383", scheme="container")],
        provenance=Provenance(Source.MANUAL, Distribution.ALL, basis))
    record_pieces(actor=world.customs_analyst, obj=container,
                  facts=[Fact(Property.RELATION, "verscheper (naam afgeschermd)",
                              relation=RelationType.ASSOCIATE_OF, target=shipper)],
                  provenance=Provenance(Source.MANUAL, Distribution.ALL, basis))
    labels = {n["label"] for n in build_network(world.terminal_contributor,
                                                container).nodes.values()}
    assert "verscheper (naam afgeschermd)" in labels
    assert "Geheime Verscheper S.A." not in labels


def test_object_page_has_a_map_near_the_port_when_the_postcode_is_known(world, company, basis):
    record_pieces(actor=world.customs_analyst, obj=company,
                  facts=[Fact(Property.POSTCODE, "3089 ka")],
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    body = verified_client(world.police_analyst).get(f"/objecten/{company.pk}/").content.decode()
    assert "data-map" in body and 'data-lat="51.92"' in body
    assert 'id="map-ports"' in body


def test_approximate_locations():
    assert approximate_location("3089KA").label == "Rotterdam"
    assert approximate_location("4389 AB").label == "Vlissingen"
    assert approximate_location("7511 AA") is None
    assert approximate_location("") is None


def test_map_tiles_are_allowed_by_the_content_security_policy(settings):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import havenbeeld.settings as s; "
         "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"],
        env={"HAVENBEELD_ENV": "test", "HAVENBEELD_MAP_TILES":
             "https://{s}.tiles.example/{z}/{x}/{y}.png", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True)
    assert "https://*.tiles.example" in out.stdout


def test_network_json_needs_a_visible_object(world, company):
    assert verified_client(world.terminal_contributor).get(
        f"/objecten/{company.pk}/netwerk.json").status_code == 404
    _ = LegalBasis


def test_incoming_relations_are_named_with_what_the_viewer_sees(world, company, director):
    body = verified_client(world.police_analyst).get(f"/objecten/{company.pk}/").content.decode()
    assert "Pieter Verbrugge</a>" in body
