"""Collaboration groups: made and kept by coordinators.

The owning organisation's coordinators (and platform administrators) add and remove members; any
member's coordinator can take their own organisation out. Pieces distributed to a group stay
with the group: an organisation that leaves no longer sees the pieces others shared there.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation, Role, User
from havenbeeld.audit import events
from havenbeeld.sharing.models import CollaborationGroup


class SharingError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def groups_visible_to(user: User) -> QuerySet[CollaborationGroup]:
    groups = CollaborationGroup.objects.prefetch_related("organisations").select_related("owner")
    if user.role == Role.PLATFORM_ADMIN and policy.can(
            user, policy.Action.MANAGE_COLLABORATION_GROUPS):
        return groups
    if not policy.can(user, policy.Action.USE_WORKSPACE):
        return groups.none()
    return groups.filter(organisations=user.organisation_id)


def get_group_for_user(user: User, pk: int) -> CollaborationGroup:
    group = groups_visible_to(user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def can_manage(user: User, group: CollaborationGroup) -> bool:
    if not policy.can(user, policy.Action.MANAGE_COLLABORATION_GROUPS):
        return False
    return user.role == Role.PLATFORM_ADMIN or group.owner_id == user.organisation_id


def create_group(*, actor: User, name: str, description: str = "") -> CollaborationGroup:
    policy.require(actor, policy.Action.MANAGE_COLLABORATION_GROUPS)
    name = " ".join(name.split())
    if not name or len(name) > 150:
        raise SharingError(_("Give the group a name of at most 150 characters."))
    if CollaborationGroup.objects.filter(name__iexact=name).exists():
        raise SharingError(_("A collaboration group with this name already exists."))
    with transaction.atomic():
        group = CollaborationGroup.objects.create(name=name, description=description.strip(),
                                                  owner=actor.organisation, created_by=actor)
        group.organisations.add(actor.organisation)
        events.group_changed(actor, group, "created", actor.organisation)
    return group


def add_member(*, actor: User, group: CollaborationGroup,
               organisation: Organisation) -> None:
    if not can_manage(actor, group):
        raise SharingError(_("Only coordinators of %(owner)s can change this group's members.")
                           % {"owner": group.owner or "—"})
    if not organisation.active:
        raise SharingError(_("This organisation is not active."))
    if group.organisations.filter(pk=organisation.pk).exists():
        raise SharingError(_("%(organisation)s is already a member.")
                           % {"organisation": organisation.name})
    with transaction.atomic():
        group.organisations.add(organisation)
        events.group_changed(actor, group, "member_added", organisation)


def remove_member(*, actor: User, group: CollaborationGroup,
                  organisation: Organisation) -> None:
    leaving_itself = (organisation.pk == actor.organisation_id
                      and policy.can(actor, policy.Action.MANAGE_COLLABORATION_GROUPS))
    if not (can_manage(actor, group) or leaving_itself):
        raise SharingError(_("Only coordinators of %(owner)s can change this group's members.")
                           % {"owner": group.owner or "—"})
    if organisation.pk == group.owner_id:
        raise SharingError(_("The managing organisation cannot leave its own group."))
    if not group.organisations.filter(pk=organisation.pk).exists():
        raise SharingError(_("%(organisation)s is not a member.")
                           % {"organisation": organisation.name})
    with transaction.atomic():
        group.organisations.remove(organisation)
        events.group_changed(actor, group, "member_removed", organisation)
