"""The central permission policy, per role and organisation."""

from __future__ import annotations

import pytest

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation, OrganisationKind, Role, Sector
from havenbeeld.accounts.policy import Action

pytestmark = pytest.mark.django_db

ADMIN_ACTIONS = {Action.REVIEW_ACCOUNT_REQUESTS, Action.MANAGE_USERS}


@pytest.mark.parametrize("persona,allowed", [
    ("platform_admin", ADMIN_ACTIONS),
    ("police_coordinator", ADMIN_ACTIONS),
    ("terminal_coordinator", ADMIN_ACTIONS),
    ("police_analyst", set()),
    ("customs_analyst", set()),
    ("terminal_contributor", set()),
    ("municipal_reader", set()),
])
def test_who_may_administer_accounts(world, persona, allowed):
    user = getattr(world, persona)
    for action in ADMIN_ACTIONS:
        assert policy.can(user, action) is (action in allowed)


def test_coordinators_act_only_on_their_own_organisation(world):
    coordinator = world.police_coordinator
    assert policy.can(coordinator, Action.MANAGE_USERS, world.police.pk)
    assert not policy.can(coordinator, Action.MANAGE_USERS, world.terminal.pk)
    assert policy.can(world.platform_admin, Action.MANAGE_USERS, world.terminal.pk)


def test_a_deactivated_user_may_do_nothing(world):
    world.police_coordinator.is_active = False
    for action in Action:
        assert not policy.can(world.police_coordinator, action)


def test_platform_admins_do_not_read_information_content(world):
    assert not policy.can(world.platform_admin, Action.READ_SHARED_INFORMATION)


def test_only_platform_admins_grant_the_platform_admin_role(world):
    assert Role.PLATFORM_ADMIN in policy.grantable_roles(world.platform_admin)
    assert Role.PLATFORM_ADMIN not in policy.grantable_roles(world.police_coordinator)
    assert policy.grantable_roles(world.police_analyst) == ()


@pytest.mark.parametrize("kind,sector,convenant", [
    (OrganisationKind.POLICE, Sector.PUBLIC, True),
    (OrganisationKind.CUSTOMS, Sector.PUBLIC, True),
    (OrganisationKind.MUNICIPALITY, Sector.PUBLIC, True),
    (OrganisationKind.RIEC, Sector.PUBLIC, True),
    (OrganisationKind.HARBOUR_MASTER, Sector.PUBLIC, False),
    (OrganisationKind.PORT_AUTHORITY, Sector.PUBLIC, False),
    (OrganisationKind.CONTAINER_TERMINAL, Sector.PRIVATE, False),
    (OrganisationKind.OTHER, Sector.PRIVATE, False),
])
def test_who_is_a_convenant_partner(kind, sector, convenant):
    organisation = Organisation(name="x", kind=kind, sector=sector, region="rotterdam")
    assert organisation.is_convenant_partner is convenant


def test_a_designated_harbour_master_is_a_convenant_partner():
    organisation = Organisation(name="x", kind=OrganisationKind.HARBOUR_MASTER,
                                sector=Sector.PUBLIC, region="rotterdam",
                                designated_convenant_partner=True)
    assert organisation.is_convenant_partner


def test_a_police_organisation_cannot_be_private(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Organisation.objects.create(name="Nep-politie", kind=OrganisationKind.POLICE,
                                    sector=Sector.PRIVATE, region="rotterdam")
