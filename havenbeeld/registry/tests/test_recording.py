"""Recording pieces: validation, provenance rules, atomicity, idempotency."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest

from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject, Source
from havenbeeld.registry.services import (
    Fact,
    Provenance,
    RegistryError,
    create_object,
    record_pieces,
)
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


def prov(basis, level=Distribution.CONVENANT, **kw):
    return Provenance(Source.MANUAL, level, basis, **kw)


def test_every_piece_carries_its_provenance(world, basis):
    observed = timezone.now() - dt.timedelta(days=3)
    obj = create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                        facts=[Fact(Property.NAME, "Zuidkade Handel B.V.")],
                        provenance=prov(basis, observed_at=observed))
    piece = Piece.objects.get(object=obj)
    assert piece.organisation == world.customs
    assert piece.recorded_by == world.customs_analyst
    assert piece.observed_at == observed
    assert piece.legal_basis == basis
    assert piece.distribution == Distribution.CONVENANT
    assert piece.retain_until == (piece.recorded_at + dt.timedelta(days=5 * 365)).date()
    assert piece.value_normalised == "handel zuidkade"


def test_a_bad_fact_records_nothing_of_the_batch(world, basis):
    with pytest.raises(RegistryError) as caught:
        create_object(actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
                      facts=[Fact(Property.NOTE, "Lading bananen"),
                             Fact(Property.IDENTIFIER, "CSQU3054384", scheme="container")],
                      provenance=prov(basis))
    assert caught.value.suggestion == "CSQU3054383"
    assert not RegistryObject.objects.exists() and not Piece.objects.exists()


def test_a_retried_submission_adds_nothing(world, basis):
    obj = create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                        facts=[Fact(Property.NAME, "A B.V.", idempotency_key="douane:1:naam")],
                        provenance=prov(basis))
    again = record_pieces(actor=world.customs_analyst, obj=obj,
                          facts=[Fact(Property.NAME, "A B.V.", idempotency_key="douane:1:naam")],
                          provenance=prov(basis))
    assert again == [] and Piece.objects.count() == 1


@pytest.mark.parametrize(("fact", "fragment"), [
    (Fact(Property.FOUNDED, "2999-01-01"), "future"),
    (Fact(Property.FOUNDED, "31-02-2020"), "YYYY-MM-DD"),
    (Fact(Property.NAME, "   "), "empty"),
    (Fact(Property.NAME, "x" * 2001), "2000"),
    (Fact(Property.IDENTIFIER, "12345"), "kind of identifier"),
])
def test_malformed_facts_are_refused(world, basis, fact, fragment, settings):
    from django.utils import translation

    with translation.override("en"), pytest.raises(RegistryError) as caught:
        create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY, facts=[fact],
                      provenance=prov(basis))
    assert fragment in caught.value.message


def test_observations_cannot_lie_in_the_future(world, basis):
    with pytest.raises(RegistryError):
        create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                      facts=[Fact(Property.NAME, "A B.V.")],
                      provenance=prov(basis, observed_at=timezone.now() + dt.timedelta(days=1)))


def test_private_partners_cannot_use_a_public_only_basis(world):
    convenant = LegalBasis.objects.get(code="riec-convenant")
    with pytest.raises(RegistryError):
        create_object(actor=world.terminal_contributor, kind=ObjectKind.COMPANY,
                      facts=[Fact(Property.NAME, "A B.V.")], provenance=prov(convenant))


def test_group_distribution_needs_a_group_the_contributor_belongs_to(world, basis,
                                                                     terminal_group):
    with pytest.raises(RegistryError):
        create_object(actor=world.police_analyst, kind=ObjectKind.COMPANY,
                      facts=[Fact(Property.NAME, "A B.V.")],
                      provenance=prov(basis, Distribution.GROUP, group=terminal_group))
    with pytest.raises(RegistryError):
        create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                      facts=[Fact(Property.NAME, "A B.V.")],
                      provenance=prov(basis, Distribution.GROUP))


def test_bsn_only_from_public_partners_with_a_basis_that_allows_it(world, basis):
    bsn = Fact(Property.IDENTIFIER, "111222333", scheme="bsn")
    with pytest.raises(RegistryError):
        create_object(actor=world.police_analyst, kind=ObjectKind.PERSON, facts=[bsn],
                      provenance=prov(LegalBasis.objects.get(code="bibob")))
    with pytest.raises(RegistryError):
        create_object(actor=world.police_analyst, kind=ObjectKind.PERSON, facts=[bsn],
                      provenance=prov(basis, Distribution.ALL))
    person = create_object(actor=world.police_analyst, kind=ObjectKind.PERSON, facts=[bsn],
                           provenance=prov(LegalBasis.objects.get(code="wpg")))
    assert Piece.objects.get(object=person).value == "1112.22.333"


def test_readers_cannot_contribute(world, basis):
    with pytest.raises(PermissionDenied):
        create_object(actor=world.municipal_reader, kind=ObjectKind.COMPANY,
                      facts=[Fact(Property.NAME, "A B.V.")], provenance=prov(basis))


def test_relations_need_a_type_and_another_object(world, basis):
    from havenbeeld.registry.models import RelationType

    person = create_object(actor=world.police_analyst, kind=ObjectKind.PERSON,
                           facts=[Fact(Property.NAME, "Pieter Jansen")], provenance=prov(basis))
    company = create_object(actor=world.police_analyst, kind=ObjectKind.COMPANY,
                            facts=[Fact(Property.NAME, "A B.V.")], provenance=prov(basis))
    record_pieces(actor=world.police_analyst, obj=person,
                  facts=[Fact(Property.RELATION, "A B.V.", relation=RelationType.DIRECTOR_OF,
                              target=company)], provenance=prov(basis))
    with pytest.raises(RegistryError):
        record_pieces(actor=world.police_analyst, obj=person,
                      facts=[Fact(Property.RELATION, "zelf", relation=RelationType.ASSOCIATE_OF,
                                  target=person)], provenance=prov(basis))


def test_known_keys_answers_for_more_keys_than_a_statement_takes(world, basis):
    """A re-imported chunk of wide rows asks after more idempotency keys than PostgreSQL takes
    parameters in one statement (65,535)."""
    from havenbeeld.registry.services import known_keys

    obj = create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                        facts=[Fact(Property.NAME, "Zuidkade Handel B.V."),
                               Fact(Property.IDENTIFIER, "1234 5678", scheme="kvk")],
                        provenance=prov(basis))
    held = []
    for n, piece in enumerate(Piece.objects.filter(object=obj)):
        held.append(f"import:1:held-{n}:x")
        Piece.objects.filter(pk=piece.pk).update(idempotency_key=held[-1])
    asked = [f"import:1:row-{n}:x" for n in range(70_000)] + held + held
    assert known_keys(asked) == set(held)
    assert known_keys([]) == set()
