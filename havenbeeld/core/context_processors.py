from __future__ import annotations

from django.http import HttpRequest

from havenbeeld.accounts import policy
from havenbeeld.core.areas import AREAS


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    verified = bool(user and user.is_authenticated and user.is_verified())
    return {
        "nav_areas": tuple(a for a in AREAS if not a.action or policy.can(
            user, policy.Action(a.action))) if verified else (),
        "nav_signed_in": verified,
        "nav_can_review": verified and policy.can(user, policy.Action.REVIEW_ACCOUNT_REQUESTS),
        "nav_can_manage_users": verified and policy.can(user, policy.Action.MANAGE_USERS),
        "nav_can_audit": verified and policy.can(user, policy.Action.VIEW_AUDIT_LOG),
        "nav_can_reference": verified and policy.can(user, policy.Action.MANAGE_ORGANISATIONS),
        "nav_unread": _unread(user) if verified else 0,
    }


def _unread(user: object) -> int:
    from havenbeeld.signals.notifications import unread_for

    return unread_for(user).count()
