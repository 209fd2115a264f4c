"""Single-use links sent by e-mail. Only a hash of each token is stored."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import AccountRequest, OneTimeLink, User
from havenbeeld.accounts.services.errors import LinkError

Purpose = OneTimeLink.Purpose

__all__ = ["OneTimeLink", "Purpose", "consume", "issue", "peek"]

_ROUTES = {
    Purpose.CONFIRM_EMAIL: "accounts:confirm_email",
    Purpose.SET_PASSWORD: "accounts:set_password",
    Purpose.RESET_PASSWORD: "accounts:reset_password",
}


def issue(
    purpose: Purpose,
    *,
    account_request: AccountRequest | None = None,
    user: User | None = None,
    valid_for: timedelta | None = None,
) -> str:
    """Create a link and return its absolute URL. Earlier unused links of the same kind end."""
    now = timezone.now()
    earlier = OneTimeLink.objects.filter(purpose=purpose, used_at__isnull=True)
    if account_request is not None:
        earlier = earlier.filter(account_request=account_request)
    if user is not None:
        earlier = earlier.filter(user=user)
    earlier.update(expires_at=now)
    token = secrets.token_urlsafe(32)
    OneTimeLink.objects.create(
        purpose=purpose,
        token_hash=OneTimeLink.hash_token(token),
        account_request=account_request,
        user=user,
        expires_at=now + (valid_for or timedelta(hours=settings.ACCOUNT_LINK_VALID_HOURS)),
    )
    return settings.SITE_URL + reverse(_ROUTES[purpose], kwargs={"token": token})


def peek(purpose: Purpose, token: str) -> OneTimeLink:
    """The valid link for ``token``, without using it up. Raises ``LinkError``."""
    if not token or len(token) > 100:
        raise LinkError(_("This link is not valid."), "invalid")
    link = (
        OneTimeLink.objects.select_related("account_request__organisation", "user__organisation")
        .filter(purpose=purpose, token_hash=OneTimeLink.hash_token(token))
        .first()
    )
    if link is None:
        raise LinkError(_("This link is not valid. Check that you copied it completely."),
                        "invalid")
    if link.used_at is not None:
        raise LinkError(_("This link has already been used. Each link works only once."), "used")
    if link.expires_at <= timezone.now():
        raise LinkError(_("This link has expired."), "expired")
    return link


def consume(purpose: Purpose, token: str) -> OneTimeLink:
    """Use up the link; call inside the transaction of the change it allows."""
    link = peek(purpose, token)
    used = OneTimeLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:  # a concurrent request used it first
        raise LinkError(_("This link has already been used. Each link works only once."), "used")
    return link
