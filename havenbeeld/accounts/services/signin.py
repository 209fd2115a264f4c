"""Signing in: password, then always a second factor; lockout per account and per address.

Failures are counted per e-mail address and per client address in a sliding window
(``LOCKOUT_MINUTES``). Reaching the threshold locks that account or address until the window
has passed; the check runs before the password is even looked at.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from havenbeeld.accounts.models import SignInFailure, User
from havenbeeld.accounts.services import links, mail
from havenbeeld.accounts.services.errors import AccountError, SignInError
from havenbeeld.audit import events
from havenbeeld.core.http import client_ip


@dataclass(frozen=True)
class Lockout:
    scope: str  # "account" or "address"
    until: timezone.datetime

    def message(self) -> str:
        minutes = max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))
        return ngettext(
            "Too many failed sign-in attempts. For your security, signing in is blocked for "
            "%(minutes)d minute. Try again later or reset your password.",
            "Too many failed sign-in attempts. For your security, signing in is blocked for "
            "%(minutes)d minutes. Try again later or reset your password.",
            minutes,
        ) % {"minutes": minutes}


def _window_start() -> timezone.datetime:
    return timezone.now() - timedelta(minutes=settings.LOCKOUT_MINUTES)


def _lockout_from(failures: list[timezone.datetime], threshold: int,
                  scope: str) -> Lockout | None:
    if len(failures) < threshold:
        return None
    # Locked until the failure that reached the threshold leaves the window.
    reaching = sorted(failures)[-threshold]
    return Lockout(scope, reaching + timedelta(minutes=settings.LOCKOUT_MINUTES))


def current_lockout(email: str, ip: str | None) -> Lockout | None:
    since = _window_start()
    by_account = list(SignInFailure.objects.filter(
        email=email.lower(), occurred_at__gt=since).values_list("occurred_at", flat=True))
    lock = _lockout_from(by_account, settings.LOCKOUT_ACCOUNT_FAILURES, "account")
    if lock is None and ip:
        by_ip = list(SignInFailure.objects.filter(
            ip_address=ip, occurred_at__gt=since).values_list("occurred_at", flat=True))
        lock = _lockout_from(by_ip, settings.LOCKOUT_IP_FAILURES, "address")
    return lock


def _fail(email: str, step: str, reason: str, request: HttpRequest | None,
          user: User | None, message: str) -> SignInError:
    """Record a failure (and the lockout it may cause); return the error to raise."""
    ip = client_ip(request)
    with transaction.atomic():
        SignInFailure.objects.create(email=email.lower(), ip_address=ip, step=step)
        events.sign_in_failed(email, step, reason, request, user)
        lock = current_lockout(email, ip)
        if lock is not None:
            events.locked_out(email, lock.scope, request, user)
            return SignInError(lock.message(), "locked")
    return SignInError(message, reason)


def _raise_if_locked(email: str, request: HttpRequest | None) -> None:
    lock = current_lockout(email, client_ip(request))
    if lock is not None:
        raise SignInError(lock.message(), "locked")


def check_password(*, email: str, password: str, request: HttpRequest | None) -> User:
    """First step. Returns the user whose password matched; raises ``SignInError`` otherwise."""
    email = email.strip().lower()
    _raise_if_locked(email, request)
    user = authenticate(request, username=email, password=password)
    if user is None or not user.organisation.active:
        known = User.objects.filter(email__iexact=email).first()
        reason = "inactive" if known is not None and not known.is_active else "bad_credentials"
        raise _fail(email, "password", reason, request, known,
                    _("The e-mail address or password is not correct."))
    return user


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_second_factor(*, user: User, code: str, request: HttpRequest | None
                         ) -> TOTPDevice | StaticDevice:
    """Second step: a TOTP code or one of the recovery codes. Codes are single-use."""
    _raise_if_locked(user.email, request)
    code = "".join(code.split()).lower()
    if code.isdigit() and len(code) == 6:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            # verify_token refuses a code at or before the last one used (replay).
            if device.verify_token(code):
                return device
    elif code:
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                remaining = device.token_set.count()
                events.recovery_code_used(user, remaining, request)
                return device
    raise _fail(user.email, "otp", "bad_code", request, user,
                _("The code is not correct or has already been used. Wait for a new code in "
                  "your authenticator app and try again."))


def record_sign_in(user: User, request: HttpRequest | None, method: str) -> None:
    with transaction.atomic():
        SignInFailure.objects.filter(email=user.email.lower()).delete()
        events.sign_in_succeeded(user, request, method)


# --- Enrolment of the second factor -----------------------------------------------------------

def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled, created on first use."""
    if has_second_factor(user):
        raise AccountError(_("Two-factor authentication is already set up for this account."),
                           "already_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


def confirm_enrolment(*, user: User, code: str, request: HttpRequest | None
                      ) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code; returns it and fresh recovery codes."""
    device = pending_totp_device(user)
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6 and device.verify_token(code)):
        raise _fail(user.email, "otp", "bad_enrolment_code", request, user,
                    _("The code is not correct. Scan the QR code again and enter the code your "
                      "app shows now."))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = replace_recovery_codes(user)
        events.mfa_enrolled(user, request)
    return device, codes


def replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
    codes = []
    for _i in range(settings.RECOVERY_CODE_COUNT):
        code = "-".join(secrets.token_hex(3) for _j in range(2))  # e.g. 3fa92c-0b71de
        StaticToken.objects.create(device=device, token=code)
        codes.append(code)
    return codes


# --- Passwords ---------------------------------------------------------------------------------

def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), "weak_password") from None


def set_initial_password(*, token: str, password: str, request: HttpRequest | None) -> User:
    """Set the password of a newly approved account through its one-time link."""
    link = links.peek(links.Purpose.SET_PASSWORD, token)
    _validate_password(password, link.user)
    with transaction.atomic():
        link = links.consume(links.Purpose.SET_PASSWORD, token)
        user = User.objects.select_for_update().get(pk=link.user_id)
        if not user.is_active:
            raise AccountError(_("This account has been deactivated."), "inactive")
        user.set_password(password)
        user.save(update_fields=["password"])
        events.password_set(user, request)
    return user


def begin_password_reset(*, email: str, request: HttpRequest | None) -> None:
    """Send a reset link if the address has an active account. Says nothing either way."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    with transaction.atomic():
        events.password_reset_requested(email, user is not None, request)
        if user is not None and user.has_usable_password():
            url = links.issue(links.Purpose.RESET_PASSWORD, user=user)
            mail.send_after_commit("password_reset", [user.email], {"user": user, "url": url})


def reset_password(*, token: str, password: str, request: HttpRequest | None) -> User:
    """Set a new password through a reset link. Ends every session of the account."""
    link = links.peek(links.Purpose.RESET_PASSWORD, token)
    _validate_password(password, link.user)
    with transaction.atomic():
        link = links.consume(links.Purpose.RESET_PASSWORD, token)
        user = User.objects.select_for_update().get(pk=link.user_id)
        user.set_password(password)
        user.session_generation += 1
        user.save(update_fields=["password", "session_generation"])
        SignInFailure.objects.filter(email=user.email.lower()).delete()
        events.password_reset(user, request)
    return user


def change_password(*, user: User, current: str, new: str,
                    request: HttpRequest | None) -> User:
    """A signed-in user changes their password; other sessions end, this one stays."""
    if not user.check_password(current):
        raise _fail(user.email, "password", "bad_current_password", request, user,
                    _("Your current password is not correct."))
    _validate_password(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.session_generation += 1
        user.save(update_fields=["password", "session_generation"])
        events.password_changed(user, request)
    return user


def new_recovery_codes(*, user: User, request: HttpRequest | None) -> list[str]:
    with transaction.atomic():
        codes = replace_recovery_codes(user)
        events.recovery_codes_replaced(user, request)
    return codes
