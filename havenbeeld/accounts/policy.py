"""The one permission policy: what each role may do, and on which organisation's things.

Views, commands and (later) the API ask this module; none of them compares roles themselves.
``ROLE_ACTIONS`` is the table in ``docs/roles.md`` (a test keeps the two equal). Fetch-and-
authorise helpers answer 404 for both "missing" and "not yours", so nothing leaks by status code.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import AccountRequest, Role, User


class Scope(enum.Enum):
    """How far an allowed action reaches."""

    OWN_ORGANISATION = "own organisation"
    ALL = "all organisations"
    SHARED = "what is shared with them"


@dataclass(frozen=True)
class ActionInfo:
    label: Promise
    area: Promise
    available: bool  # False while the area that offers it is not built yet


class Action(enum.Enum):
    USE_WORKSPACE = "use_workspace"
    READ_SHARED_INFORMATION = "read_shared_information"
    CONTRIBUTE_INFORMATION = "contribute_information"
    ANALYSE = "analyse"
    REVIEW_ACCOUNT_REQUESTS = "review_account_requests"
    MANAGE_USERS = "manage_users"
    ANSWER_INFORMATION_REQUESTS = "answer_information_requests"
    MANAGE_COLLABORATION_GROUPS = "manage_collaboration_groups"
    MANAGE_ORGANISATIONS = "manage_organisations"
    VIEW_AUDIT_LOG = "view_audit_log"


ACTION_INFO: dict[Action, ActionInfo] = {
    Action.USE_WORKSPACE: ActionInfo(_("Sign in and use the workspace"), _("all"), True),
    Action.READ_SHARED_INFORMATION: ActionInfo(
        _("Read objects, signals and pieces distributed to them"), _("registry"), True),
    Action.CONTRIBUTE_INFORMATION: ActionInfo(
        _("Report signals and contribute pieces of information"), _("signals, registry"), True),
    Action.ANALYSE: ActionInfo(
        _("Triage signals, run integral analyses, review matches, ask hit/no-hit"),
        _("signals, matches, analyses"), True),
    Action.REVIEW_ACCOUNT_REQUESTS: ActionInfo(
        _("Approve or reject account requests"), _("administration"), True),
    Action.MANAGE_USERS: ActionInfo(
        _("Deactivate and reactivate users"), _("administration"), True),
    Action.ANSWER_INFORMATION_REQUESTS: ActionInfo(
        _("Decide on information requests to their organisation"), _("sharing"), True),
    Action.MANAGE_COLLABORATION_GROUPS: ActionInfo(
        _("Manage collaboration groups"), _("sharing"), True),
    Action.MANAGE_ORGANISATIONS: ActionInfo(
        _("Manage organisations and reference data"), _("administration"), True),
    Action.VIEW_AUDIT_LOG: ActionInfo(_("Read the audit log"), _("administration"), True),
}

_OWN = Scope.OWN_ORGANISATION
_ALL = Scope.ALL
_SHARED = Scope.SHARED

ROLE_ACTIONS: dict[Role, dict[Action, Scope]] = {
    Role.PLATFORM_ADMIN: {
        Action.USE_WORKSPACE: _ALL,
        Action.REVIEW_ACCOUNT_REQUESTS: _ALL,
        Action.MANAGE_USERS: _ALL,
        Action.MANAGE_COLLABORATION_GROUPS: _ALL,
        Action.MANAGE_ORGANISATIONS: _ALL,
        Action.VIEW_AUDIT_LOG: _ALL,
    },
    Role.COORDINATOR: {
        Action.USE_WORKSPACE: _OWN,
        Action.READ_SHARED_INFORMATION: _SHARED,
        Action.CONTRIBUTE_INFORMATION: _OWN,
        Action.ANALYSE: _SHARED,
        Action.REVIEW_ACCOUNT_REQUESTS: _OWN,
        Action.MANAGE_USERS: _OWN,
        Action.ANSWER_INFORMATION_REQUESTS: _OWN,
        Action.MANAGE_COLLABORATION_GROUPS: _OWN,
    },
    Role.ANALYST: {
        Action.USE_WORKSPACE: _OWN,
        Action.READ_SHARED_INFORMATION: _SHARED,
        Action.CONTRIBUTE_INFORMATION: _OWN,
        Action.ANALYSE: _SHARED,
    },
    Role.CONTRIBUTOR: {
        Action.USE_WORKSPACE: _OWN,
        Action.READ_SHARED_INFORMATION: _SHARED,
        Action.CONTRIBUTE_INFORMATION: _OWN,
    },
    Role.READER: {
        Action.USE_WORKSPACE: _OWN,
        Action.READ_SHARED_INFORMATION: _SHARED,
    },
}

# Roles a granter may hand out. Only a platform administrator makes another one.
GRANTABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.PLATFORM_ADMIN: tuple(Role),
    Role.COORDINATOR: (Role.COORDINATOR, Role.ANALYST, Role.CONTRIBUTOR, Role.READER),
}


def scope(user: User, action: Action) -> Scope | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return ROLE_ACTIONS.get(Role(user.role), {}).get(action)


def can(user: User, action: Action, organisation_id: int | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on something of ``organisation_id``, if given)."""
    granted = scope(user, action)
    if granted is None:
        return False
    if organisation_id is None or granted is not Scope.OWN_ORGANISATION:
        return True
    return organisation_id == user.organisation_id


def require(user: User, action: Action, organisation_id: int | None = None) -> None:
    if not can(user, action, organisation_id):
        raise PermissionDenied


def grantable_roles(user: User) -> tuple[Role, ...]:
    if not can(user, Action.REVIEW_ACCOUNT_REQUESTS):
        return ()
    return GRANTABLE_ROLES.get(Role(user.role), ())


def _scoped(user: User, action: Action, queryset: QuerySet, organisation_field: str) -> QuerySet:
    granted = scope(user, action)
    if granted is None:
        return queryset.none()
    if granted is Scope.OWN_ORGANISATION:
        return queryset.filter(**{organisation_field: user.organisation_id})
    return queryset


def account_requests_visible_to(user: User) -> QuerySet[AccountRequest]:
    return _scoped(user, Action.REVIEW_ACCOUNT_REQUESTS,
                   AccountRequest.objects.select_related("organisation", "decided_by"),
                   "organisation_id")


def users_manageable_by(user: User) -> QuerySet[User]:
    return _scoped(user, Action.MANAGE_USERS, User.objects.select_related("organisation"),
                   "organisation_id")


def get_account_request_for_user(user: User, pk: int) -> AccountRequest:
    try:
        return account_requests_visible_to(user).get(pk=pk)
    except AccountRequest.DoesNotExist:
        raise Http404 from None


def get_manageable_user(user: User, pk: int) -> User:
    try:
        return users_manageable_by(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def roles_markdown() -> str:
    """The table of docs/roles.md, generated from ``ROLE_ACTIONS``."""
    from django.utils import translation

    roles = list(Role)
    with translation.override("en"):
        header = "| What | " + " | ".join(str(r.label) for r in roles) + " |"
        lines = [header, "|---" * (len(roles) + 1) + "|"]
        for action in Action:
            info = ACTION_INFO[action]
            label = str(info.label) + ("" if info.available else " *(area not built yet)*")
            cells = []
            for role in roles:
                granted = ROLE_ACTIONS[role].get(action)
                cells.append(granted.value if granted else "—")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
