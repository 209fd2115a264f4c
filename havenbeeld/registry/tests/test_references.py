"""A piece's provenance references and a name token's piece have no constraint in the database
(migration 0011); what the constraint guarded still holds, through Django's ``on_delete``."""

from __future__ import annotations

from django.db.models import ProtectedError

import pytest

from havenbeeld.imports.models import ImportJob
from havenbeeld.registry.models import (
    NameToken,
    ObjectKind,
    Piece,
    Property,
    RegistryObject,
    Source,
)
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution

pytestmark = pytest.mark.django_db


def test_an_organisation_that_contributed_pieces_cannot_be_deleted(world, company):
    with pytest.raises(ProtectedError):
        world.customs.delete()
    assert Piece.objects.filter(object=company, organisation=world.customs).count() == 2


def test_a_legal_basis_that_pieces_rest_on_cannot_be_deleted(company, basis):
    with pytest.raises(ProtectedError):
        basis.delete()
    assert Piece.objects.filter(object=company, legal_basis=basis).count() == 2


def test_a_group_that_pieces_are_shared_with_cannot_be_deleted(world, basis, terminal_group):
    obj = create_object(
        actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
        facts=[Fact(Property.IDENTIFIER, "CSQU3054383", scheme="container")],
        provenance=Provenance(Source.MANUAL, Distribution.GROUP, basis, group=terminal_group))
    with pytest.raises(ProtectedError):
        terminal_group.delete()
    assert Piece.objects.get(object=obj).group == terminal_group


def test_pieces_outlive_the_user_who_recorded_them(world, company):
    analyst = world.customs_analyst
    ImportJob.objects.filter(created_by=analyst).delete()  # jobs protect their users
    analyst.delete()
    pieces = Piece.objects.filter(object=company)
    assert pieces.count() == 2
    assert set(pieces.values_list("recorded_by", flat=True)) == {None}
    assert set(pieces.values_list("organisation", flat=True)) == {world.customs.pk}


def test_deleting_a_piece_or_its_object_deletes_its_name_tokens(company):
    name = Piece.objects.get(object=company, property=Property.NAME)
    assert set(NameToken.objects.filter(piece=name).values_list("token", flat=True)) == {
        "kaaiwacht", "logistiek"}
    name.delete()
    assert not NameToken.objects.filter(object_id=company.pk).exists()

    RegistryObject.objects.get(pk=company.pk).delete()
    assert not Piece.objects.filter(object_id=company.pk).exists()
