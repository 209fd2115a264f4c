"""Deactivating and reactivating users."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Role, User
from havenbeeld.accounts.services.errors import AccountError
from havenbeeld.audit import events


def deactivate_user(*, actor: User, user: User, reason: str,
                    request: HttpRequest | None = None) -> User:
    """Deactivate ``user``; every session of theirs ends at its next request."""
    policy.require(actor, policy.Action.MANAGE_USERS, user.organisation_id)
    reason = reason.strip()
    if not reason:
        raise AccountError(_("Give a reason for the deactivation."), "reason_required")
    if user.pk == actor.pk:
        raise AccountError(_("You cannot deactivate your own account."), "self")
    if user.role == Role.PLATFORM_ADMIN and actor.role != Role.PLATFORM_ADMIN:
        raise AccountError(_("Only a platform administrator can deactivate a platform "
                             "administrator."), "admin")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise AccountError(_("This user is already deactivated."), "already_inactive")
        locked.is_active = False
        locked.deactivated_at = timezone.now()
        locked.deactivation_reason = reason
        locked.session_generation += 1
        locked.save(update_fields=["is_active", "deactivated_at", "deactivation_reason",
                                   "session_generation"])
        events.user_deactivated(locked, actor, reason, request)
    return locked


def reactivate_user(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    policy.require(actor, policy.Action.MANAGE_USERS, user.organisation_id)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            raise AccountError(_("This user is already active."), "already_active")
        locked.is_active = True
        locked.deactivated_at = None
        locked.deactivation_reason = ""
        locked.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
        events.user_reactivated(locked, actor, request)
    return locked


def reset_second_factor(*, actor: User, user: User,
                        request: HttpRequest | None = None) -> User:
    """For a lost phone: remove the user's authenticator and recovery codes, end their sessions
    and send a one-time link to set a new password, after which they enrol again — the same way
    as a new account, so a known password alone never lets anyone enrol a new authenticator."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from havenbeeld.accounts.services import links, mail

    policy.require(actor, policy.Action.MANAGE_USERS, user.organisation_id)
    if user.pk == actor.pk:
        raise AccountError(_("Ask another coordinator or an administrator to reset your own "
                             "two-factor authentication."), "self")
    if user.role == Role.PLATFORM_ADMIN and actor.role != Role.PLATFORM_ADMIN:
        raise AccountError(_("Only a platform administrator can reset a platform "
                             "administrator."), "admin")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise AccountError(_("This user is deactivated."), "inactive")
        TOTPDevice.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()
        locked.set_unusable_password()
        locked.session_generation += 1
        locked.save(update_fields=["password", "session_generation"])
        url = links.issue(links.Purpose.SET_PASSWORD, user=locked)
        events.second_factor_reset(locked, actor, request)
        mail.send_after_commit("second_factor_reset", [locked.email], {"user": locked,
                                                                       "url": url})
    return locked
