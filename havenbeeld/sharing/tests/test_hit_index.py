"""The exchangeable hit index: keyed hashes only, import from another region, who-holds API."""

from __future__ import annotations

import hashlib
import json

from django.core.management import call_command
from django.test import Client

import pytest

from havenbeeld.accounts.services.tokens import issue_token
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.hitindex import export_entries, import_entries, index_key, who_holds
from havenbeeld.sharing.models import Distribution, LegalBasis, RemoteHit

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(world):
    basis = LegalBasis.objects.get(code="wpg")
    create_object(actor=world.police_analyst, kind=ObjectKind.PERSON,
                  facts=[Fact(Property.NAME, "Pieter Verbrugge"),
                         Fact(Property.IDENTIFIER, "111222333", scheme="bsn")],
                  provenance=Provenance(Source.MANUAL, Distribution.OWN, basis))
    return create_object(actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
                         facts=[Fact(Property.IDENTIFIER, "CSQU3054383", scheme="container"),
                                Fact(Property.CARGO, "bananen")],
                         provenance=Provenance(Source.MANUAL, Distribution.OWN,
                                               LegalBasis.objects.get(code="awr-douane")))


def test_the_exported_index_reveals_no_identifier_and_no_bsn(world, indexed):
    entries = list(export_entries())
    text = json.dumps(entries)
    assert entries and "CSQU3054383" not in text and "111222333" not in text
    assert [e["holder"] for e in entries] == ["Douane"]  # the BSN is never indexed
    # Without the key, hashing likely identifiers does not find the entry.
    assert entries[0]["key"] != hashlib.sha256(b"container:CSQU3054383").hexdigest()
    assert entries[0]["key"] == index_key("container", "CSQU3054383")


def test_another_region_learns_who_holds_a_container(world, indexed, settings, tmp_path):
    exported = [json.dumps({**e, "instance": "riec-zeeland-west-brabant"})
                for e in export_entries()]
    # The other region imports Rotterdam's index (simulated by renaming the instance).
    result = import_entries(exported)
    assert result.entries == 1 and not result.errors
    holders = who_holds(world.police_analyst, "container", "csqu 305438 3", purpose="Zaak 5")
    assert {(h.instance, h.holder) for h in holders} == {
        ("havenbeeld", "Douane"), ("riec-zeeland-west-brabant", "Douane")}
    event = AuditEvent.objects.get(event_type=EventType.IDENTIFIER_HIT_QUERY)
    assert "CSQU" not in json.dumps(event.details) and event.details["purpose"] == "Zaak 5"


def test_importing_again_replaces_that_instances_entries(world, indexed):
    line = json.dumps({"key": "a" * 64, "holder": "Politie Zeeland", "pieces": 2,
                       "latest": "2026-01", "instance": "zwb"})
    import_entries([line])
    import_entries([line.replace("Politie Zeeland", "Douane Vlissingen")])
    assert list(RemoteHit.objects.values_list("holder", flat=True)) == ["Douane Vlissingen"]


def test_bad_index_lines_are_refused(world):
    result = import_entries(["{}", "not json", json.dumps({
        "key": "not-a-hash", "holder": "x", "pieces": 1, "latest": "2026-01",
        "instance": "y"})])
    assert result.entries == 0 and len(result.errors) == 3


def test_the_api_and_the_commands(world, indexed, tmp_path, capsys):
    _t, secret = issue_token(actor=world.police_analyst, user=world.police_analyst, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = Client().get("/api/hits", {"scheme": "container", "value": "CSQU3054383",
                                          "purpose": "Zaak 5"}, **headers)
    assert response.status_code == 200
    assert [h["holder"] for h in response.json()] == ["Douane"]
    bad = Client().get("/api/hits", {"scheme": "container", "value": "CSQU3054384",
                                     "purpose": "Zaak 5"}, **headers)
    assert bad.status_code == 422 and bad.json()["suggestion"] == "CSQU3054383"
    _t, private = issue_token(actor=world.terminal_contributor, user=world.terminal_contributor,
                              name="t")
    assert Client().get("/api/hits", {"scheme": "container", "value": "CSQU3054383",
                                      "purpose": "Zaak 5"},
                        HTTP_AUTHORIZATION=f"Bearer {private}").status_code == 403
    path = tmp_path / "index.jsonl"
    call_command("hitindex", "export", "--output", str(path))
    assert "CSQU" not in path.read_text()


def test_counts_are_the_holders_own_pieces(world, indexed):
    from havenbeeld.registry.services import record_pieces

    record_pieces(actor=world.police_analyst, obj=indexed,
                  facts=[Fact(Property.NOTE, "gezien")],
                  provenance=Provenance(Source.MANUAL, Distribution.ALL,
                                        LegalBasis.objects.get(code="wgs")))
    [entry] = export_entries()
    assert (entry["holder"], entry["pieces"]) == ("Douane", 2)
