"""Collaboration groups: coordinators make them, the owner manages members, sharing follows."""

from __future__ import annotations

import pytest

from havenbeeld.core.testing import verified_client
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.selectors import objects_visible_to
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis

pytestmark = pytest.mark.django_db


def test_a_coordinator_creates_a_group_and_adds_a_member(world):
    client = verified_client(world.terminal_coordinator)
    response = client.post("/samenwerkingsgroepen/", {"name": "Kadebeveiliging Maasvlakte"})
    group = CollaborationGroup.objects.get()
    assert response["Location"] == f"/samenwerkingsgroepen/{group.pk}/"
    assert group.owner == world.terminal
    client.post(f"/samenwerkingsgroepen/{group.pk}/leden/",
                {"organisation": world.customs.pk})
    assert set(group.organisations.all()) == {world.terminal, world.customs}


def test_readers_and_analysts_cannot_create_groups(world):
    for persona in ("municipal_reader", "police_analyst"):
        response = verified_client(getattr(world, persona)).post("/samenwerkingsgroepen/",
                                                                {"name": "X"})
        assert response.status_code == 403
    assert not CollaborationGroup.objects.exists()


def test_only_the_owner_manages_members_but_a_member_may_leave(world):
    group = CollaborationGroup.objects.create(name="G", owner=world.terminal)
    group.organisations.set([world.terminal, world.police])
    police = verified_client(world.police_coordinator)
    police.post(f"/samenwerkingsgroepen/{group.pk}/leden/", {"organisation": world.customs.pk})
    assert not group.organisations.filter(pk=world.customs.pk).exists()
    police.post(f"/samenwerkingsgroepen/{group.pk}/leden/",
                {"organisation": world.police.pk, "action": "remove"})
    assert not group.organisations.filter(pk=world.police.pk).exists()


def test_outsiders_do_not_see_a_group(world):
    group = CollaborationGroup.objects.create(name="G", owner=world.terminal)
    group.organisations.set([world.terminal])
    assert verified_client(world.police_analyst).get(
        f"/samenwerkingsgroepen/{group.pk}/").status_code == 404


def test_leaving_a_group_ends_access_to_what_others_shared_there(world):
    group = CollaborationGroup.objects.create(name="G", owner=world.customs)
    group.organisations.set([world.customs, world.terminal])
    obj = create_object(
        actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
        facts=[Fact(Property.IDENTIFIER, "CSQU3054383", scheme="container")],
        provenance=Provenance(Source.MANUAL, Distribution.GROUP,
                              LegalBasis.objects.get(code="wgs"), group=group))
    assert obj in objects_visible_to(world.terminal_contributor)
    verified_client(world.terminal_coordinator).post(
        f"/samenwerkingsgroepen/{group.pk}/leden/",
        {"organisation": world.terminal.pk, "action": "remove"})
    assert obj not in objects_visible_to(world.terminal_contributor)
