"""API tokens: issued once, stored as a hash, revocable, with an expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import ApiToken, Organisation, User
from havenbeeld.accounts.services.errors import AccountError
from havenbeeld.audit import events
from havenbeeld.core import hot

TOKEN_PREFIX = "hb_"  # noqa: S105 — a marker, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, actor: User, user: User, name: str, days: int = 365) -> tuple[ApiToken, str]:
    """Make a token for ``user`` (oneself, or a user one manages). Returns it and its secret."""
    if actor.pk != user.pk:
        policy.require(actor, policy.Action.MANAGE_USERS, user.organisation_id)
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError(_("Give the token a name of at most 100 characters."), "name")
    if not 1 <= days <= 730:
        raise AccountError(_("A token is valid for 1 to 730 days."), "days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, token_hash=_hash(secret),
                                        prefix=secret[:10],
                                        expires_at=timezone.now() + timedelta(days=days))
        events.api_token_issued(actor, token)
    return token, secret


def revoke_token(*, actor: User, token: ApiToken) -> None:
    if actor.pk != token.user_id:
        policy.require(actor, policy.Action.MANAGE_USERS, token.user.organisation_id)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        events.api_token_revoked(actor, token)


def user_for_token(secret: str) -> User | None:
    """The active user behind a valid token, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    # In SQL (``core.hot``), token, user and organisation in one statement: every API
    # request passes here.
    found = hot.joined(
        [(ApiToken, "t"), (User, "u"), (Organisation, "o")],
        f'"{ApiToken._meta.db_table}" t '
        f'INNER JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
        f'INNER JOIN "{Organisation._meta.db_table}" o ON o."id" = u."organisation_id"',
        't."token_hash" = %s AND t."revoked_at" IS NULL AND t."expires_at" > %s',
        [_hash(secret), hot.value(ApiToken, "expires_at", now)], limit=1)
    if not found:
        return None
    token, user, organisation = found[0]
    if not user.is_active or not organisation.active:
        return None
    user.organisation = organisation
    token.user = user
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
