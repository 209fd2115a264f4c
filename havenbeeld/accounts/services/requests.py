"""The account request lifecycle: request → confirm e-mail → approve/reject → set password.

Allowed transitions are data (``TRANSITIONS``); every change checks it, runs in one
transaction, records its audit event inside that transaction and sends e-mail after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import AccountRequest, Organisation, Role, User
from havenbeeld.accounts.services import links, mail
from havenbeeld.accounts.services.errors import AccountError, LinkError
from havenbeeld.audit import events
from havenbeeld.core.http import client_ip

Status = AccountRequest.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.UNCONFIRMED: {Status.PENDING, Status.EXPIRED},
    Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.EXPIRED},
    Status.APPROVED: set(),
    Status.REJECTED: set(),
    Status.EXPIRED: set(),
}


def _move(account_request: AccountRequest, to: str) -> None:
    if to not in TRANSITIONS[account_request.status]:
        raise AccountError(
            _("This request is %(status)s and can no longer change.")
            % {"status": account_request.get_status_display()},
            "invalid_transition",
        )
    account_request.status = to


@dataclass(frozen=True)
class RequestOutcome:
    """What happened to a submitted request. ``created`` is False for a duplicate."""

    created: bool
    account_request: AccountRequest | None


def check_email_domain(organisation: Organisation, email: str) -> None:
    domains = organisation.allowed_email_domains()
    domain = email.rsplit("@", 1)[-1].lower()
    if domains and domain not in domains:
        raise AccountError(
            _("Use your work e-mail address at %(organisation)s (ending in %(domains)s).")
            % {"organisation": organisation.name,
               "domains": ", ".join("@" + d for d in domains)},
            "email_domain",
        )


def request_account(
    *,
    full_name: str,
    email: str,
    organisation: Organisation,
    function: str,
    phone: str,
    motivation: str,
    request: HttpRequest | None = None,
) -> RequestOutcome:
    """Record a new account request and send the confirmation link.

    A second request for an address that already has an open request or an account creates
    nothing; its owner is told so by e-mail (the page says the same in both cases, so the form
    does not reveal who has an account).
    """
    email = email.strip().lower()
    if not organisation.active:
        raise AccountError(_("This organisation cannot receive account requests."),
                           "inactive_organisation")
    check_email_domain(organisation, email)
    _check_rate(request)
    expire_stale_requests()

    if User.objects.filter(email__iexact=email).exists():
        return _duplicate(email, "account_exists", request)
    if AccountRequest.objects.filter(email__iexact=email,
                                     status__in=AccountRequest.OPEN_STATUSES).exists():
        return _duplicate(email, "request_open", request)

    now = timezone.now()
    try:
        with transaction.atomic():
            account_request = AccountRequest.objects.create(
                full_name=full_name.strip(),
                email=email,
                organisation=organisation,
                function=function.strip(),
                phone=phone.strip(),
                motivation=motivation.strip(),
                created_at=now,
                expires_at=now + timedelta(days=settings.ACCOUNT_REQUEST_VALID_DAYS),
                request_ip=client_ip(request),
            )
            url = links.issue(links.Purpose.CONFIRM_EMAIL, account_request=account_request,
                              valid_for=account_request.expires_at - now)
            events.account_requested(account_request, request)
            mail.send_after_commit("confirm_email", [email],
                                   {"account_request": account_request, "url": url})
    except IntegrityError:
        # A concurrent identical submission won the race on the open-request constraint.
        return _duplicate(email, "request_open", request)
    return RequestOutcome(True, account_request)


def _check_rate(request: HttpRequest | None) -> None:
    """At most ``ACCOUNT_REQUESTS_PER_ADDRESS_PER_HOUR`` requests from one client address."""
    ip = client_ip(request)
    if ip is None:
        return
    since = timezone.now() - timedelta(hours=1)
    recent = AccountRequest.objects.filter(request_ip=ip, created_at__gte=since).count()
    if recent >= settings.ACCOUNT_REQUESTS_PER_ADDRESS_PER_HOUR:
        raise AccountError(_("Too many account requests were sent from your network in the "
                             "last hour. Please try again later."), "rate_limited")


def _duplicate(email: str, reason: str, request: HttpRequest | None) -> RequestOutcome:
    with transaction.atomic():
        events.account_request_duplicate(email, reason, request)
        mail.send_after_commit(f"duplicate_{reason}", [email], {"email": email})
    return RequestOutcome(False, None)


def confirmation_link(token: str) -> links.OneTimeLink:
    """The unused confirmation link for ``token``; expires stale requests first."""
    expire_stale_requests()
    return links.peek(links.Purpose.CONFIRM_EMAIL, token)


def confirm_email(*, token: str, request: HttpRequest | None = None) -> AccountRequest:
    """Confirm the applicant's address; the request then waits for its coordinators."""
    expire_stale_requests()
    with transaction.atomic():
        link = links.consume(links.Purpose.CONFIRM_EMAIL, token)
        account_request = AccountRequest.objects.select_for_update().get(
            pk=link.account_request_id
        )
        if account_request.status == Status.EXPIRED:
            raise LinkError(_("This request has expired. Please submit a new request."),
                            "expired")
        _move(account_request, Status.PENDING)
        account_request.confirmed_at = timezone.now()
        account_request.save(update_fields=["status", "confirmed_at"])
        events.account_email_confirmed(account_request, request)
        reviewers = reviewers_of(account_request.organisation)
        mail.send_after_commit("request_to_review", [u.email for u in reviewers],
                               {"account_request": account_request})
    return account_request


def reviewers_of(organisation: Organisation) -> list[User]:
    """The organisation's active coordinators, or the platform administrators if it has none."""
    coordinators = list(User.objects.filter(organisation=organisation, role=Role.COORDINATOR,
                                            is_active=True))
    if coordinators:
        return coordinators
    return list(User.objects.filter(role=Role.PLATFORM_ADMIN, is_active=True))


def _decide(actor: User, account_request: AccountRequest) -> AccountRequest:
    policy.require(actor, policy.Action.REVIEW_ACCOUNT_REQUESTS, account_request.organisation_id)
    locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if locked.is_open and locked.expires_at <= timezone.now():
        raise AccountError(_("This request has expired and can no longer be decided."),
                           "expired")
    return locked


def approve_request(
    *,
    actor: User,
    account_request: AccountRequest,
    role: Role,
    reason: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Approve: create the account with the granted role and send a one-time password link."""
    if role not in policy.grantable_roles(actor):
        raise AccountError(_("You may not grant the role %(role)s.") % {"role": role.label},
                           "role")
    expire_stale_requests()
    with transaction.atomic():
        locked = _decide(actor, account_request)
        _move(locked, Status.APPROVED)
        if User.objects.filter(email__iexact=locked.email).exists():
            raise AccountError(_("An account with this e-mail address already exists."),
                               "account_exists")
        user = User.objects.create_user(
            email=locked.email,
            full_name=locked.full_name,
            organisation=locked.organisation,
            role=role,
            function=locked.function,
            phone=locked.phone,
        )
        locked.user = user
        locked.granted_role = role
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason.strip()
        locked.save()
        url = links.issue(links.Purpose.SET_PASSWORD, user=user)
        events.account_approved(locked, actor, request)
        mail.send_after_commit("approved", [user.email], {"user": user, "url": url})
    account_request.refresh_from_db()
    return user


def reject_request(
    *,
    actor: User,
    account_request: AccountRequest,
    reason: str,
    request: HttpRequest | None = None,
) -> AccountRequest:
    reason = reason.strip()
    if not reason:
        raise AccountError(_("Give a reason for the rejection; the applicant receives it."),
                           "reason_required")
    expire_stale_requests()
    with transaction.atomic():
        locked = _decide(actor, account_request)
        _move(locked, Status.REJECTED)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        events.account_rejected(locked, actor, request)
        mail.send_after_commit("rejected", [locked.email], {"account_request": locked})
    account_request.refresh_from_db()
    return locked


def _expire(account_request: AccountRequest) -> None:
    _move(account_request, Status.EXPIRED)
    account_request.save(update_fields=["status"])
    events.account_request_expired(account_request)


def expire_stale_requests() -> int:
    """Mark open requests past their expiry as expired. Returns how many."""
    count = 0
    stale = AccountRequest.objects.filter(status__in=AccountRequest.OPEN_STATUSES,
                                          expires_at__lte=timezone.now())
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            account_request = AccountRequest.objects.select_for_update().get(pk=pk)
            if account_request.is_open and account_request.expires_at <= timezone.now():
                _expire(account_request)
                count += 1
    return count
