"""Named audit events: one function per thing that happened.

Each function is called from the service that makes the change, inside its transaction, so an
event is recorded exactly when the change is. Nothing here swallows errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from havenbeeld.audit import chain
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.http import client_ip

if TYPE_CHECKING:
    from havenbeeld.accounts.models import AccountRequest, User


def record(
    event_type: EventType,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    target: object | None = None,
    target_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        event_type=event_type,
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        actor_organisation=actor.organisation.name if actor is not None else "",
        ip_address=client_ip(request),
        details=details or {},
    )
    if target is not None:
        event.target_type = target._meta.label_lower  # type: ignore[attr-defined]
        event.target_id = str(target.pk)  # type: ignore[attr-defined]
        event.target_label = (target_label or str(target))[:300]
    return chain.append(event)


def _request_label(account_request: AccountRequest) -> str:
    return f"{account_request.email} ({account_request.organisation.name})"


def account_requested(account_request: AccountRequest, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.ACCOUNT_REQUESTED, request=request, target=account_request,
                  target_label=_request_label(account_request))


def account_request_duplicate(email: str, reason: str, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.ACCOUNT_REQUEST_DUPLICATE, request=request,
                  details={"email": email, "reason": reason})


def account_email_confirmed(account_request: AccountRequest,
                            request: HttpRequest | None) -> AuditEvent:
    return record(EventType.ACCOUNT_EMAIL_CONFIRMED, request=request, target=account_request,
                  target_label=_request_label(account_request))


def account_approved(account_request: AccountRequest, actor: User,
                     request: HttpRequest | None) -> AuditEvent:
    return record(EventType.ACCOUNT_APPROVED, actor=actor, request=request,
                  target=account_request, target_label=_request_label(account_request),
                  details={"role": account_request.granted_role,
                           "reason": account_request.decision_reason})


def account_rejected(account_request: AccountRequest, actor: User,
                     request: HttpRequest | None) -> AuditEvent:
    return record(EventType.ACCOUNT_REJECTED, actor=actor, request=request,
                  target=account_request, target_label=_request_label(account_request),
                  details={"reason": account_request.decision_reason})


def account_request_expired(account_request: AccountRequest) -> AuditEvent:
    return record(EventType.ACCOUNT_REQUEST_EXPIRED, target=account_request,
                  target_label=_request_label(account_request))


def password_set(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.PASSWORD_SET, actor=user, request=request, target=user)


def password_changed(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.PASSWORD_CHANGED, actor=user, request=request, target=user)


def recovery_codes_replaced(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.RECOVERY_CODES_REPLACED, actor=user, request=request, target=user)


def password_reset_requested(email: str, known: bool, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.PASSWORD_RESET_REQUESTED, request=request,
                  details={"email": email, "known_account": known})


def password_reset(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.PASSWORD_RESET, actor=user, request=request, target=user)


def mfa_enrolled(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.MFA_ENROLLED, actor=user, request=request, target=user)


def recovery_code_used(user: User, remaining: int, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.RECOVERY_CODE_USED, actor=user, request=request, target=user,
                  details={"remaining": remaining})


def sign_in_succeeded(user: User, request: HttpRequest | None, method: str) -> AuditEvent:
    return record(EventType.SIGN_IN_SUCCEEDED, actor=user, request=request, target=user,
                  details={"second_factor": method})


def sign_in_failed(email: str, step: str, reason: str, request: HttpRequest | None,
                   user: User | None = None) -> AuditEvent:
    return record(EventType.SIGN_IN_FAILED, request=request, target=user,
                  details={"email": email, "step": step, "reason": reason})


def locked_out(email: str, scope: str, request: HttpRequest | None,
               user: User | None = None) -> AuditEvent:
    return record(EventType.LOCKED_OUT, request=request, target=user,
                  details={"email": email, "scope": scope})


def signed_out(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.SIGNED_OUT, actor=user, request=request, target=user)


def session_timed_out(user: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.SESSION_TIMED_OUT, actor=user, request=request, target=user)


def user_deactivated(user: User, actor: User, reason: str,
                     request: HttpRequest | None) -> AuditEvent:
    return record(EventType.USER_DEACTIVATED, actor=actor, request=request, target=user,
                  details={"reason": reason})


def second_factor_reset(user: User, actor: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.SECOND_FACTOR_RESET, actor=actor, request=request, target=user)


def user_reactivated(user: User, actor: User, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.USER_REACTIVATED, actor=actor, request=request, target=user)


def pieces_recorded(actor: User, obj: object, count: int, **details: Any) -> AuditEvent:
    return record(EventType.PIECES_RECORDED, actor=actor, target=obj,
                  details={"count": count, **details})


def picture_viewed(actor: User, obj: object, request: HttpRequest | None,
                   pieces_shown: int, purpose: str | None = None) -> AuditEvent:
    details: dict[str, Any] = {"pieces_shown": pieces_shown}
    if purpose:
        details["purpose"] = purpose
    return record(EventType.PICTURE_VIEWED, actor=actor, request=request, target=obj,
                  details=details)


def hit_query(actor: User, obj: object, request: HttpRequest | None, purpose: str,
              holders: int) -> AuditEvent:
    return record(EventType.HIT_QUERY, actor=actor, request=request, target=obj,
                  details={"purpose": purpose, "holders": holders})


def identifier_hit_query(actor: User, request: HttpRequest | None, scheme: str, key: str,
                         purpose: str, holders: int) -> AuditEvent:
    # The keyed hash, not the identifier: the log must not become an identifier list.
    return record(EventType.IDENTIFIER_HIT_QUERY, actor=actor, request=request,
                  details={"scheme": scheme, "key": key, "purpose": purpose,
                           "holders": holders})


def purpose_stated(actor: User, obj: object, request: HttpRequest | None,
                   purpose: str) -> AuditEvent:
    return record(EventType.PURPOSE_STATED, actor=actor, request=request, target=obj,
                  details={"purpose": purpose})


def api_token_issued(actor: User, token: object) -> AuditEvent:
    return record(EventType.API_TOKEN_ISSUED, actor=actor, target=token,
                  details={"for": token.user.email})  # type: ignore[attr-defined]


def api_token_revoked(actor: User, token: object) -> AuditEvent:
    return record(EventType.API_TOKEN_REVOKED, actor=actor, target=token)


def import_queued(actor: User, job: object) -> AuditEvent:
    return record(EventType.IMPORT_QUEUED, actor=actor, target=job,
                  details={"rows": job.total_rows, "sha256": job.file_sha256})  # type: ignore


def import_finished(job: object) -> AuditEvent:
    return record(EventType.IMPORT_FINISHED, actor=job.created_by, target=job,  # type: ignore
                  details={"status": job.status, "objects": job.created_objects,  # type: ignore
                           "pieces": job.created_pieces, "errors": job.error_rows})  # type: ignore


def picture_exported(actor: User, obj: object, request: HttpRequest | None,
                     pieces: int, purpose: str | None = None) -> AuditEvent:
    details: dict[str, Any] = {"pieces": pieces, "format": "csv"}
    if purpose:
        details["purpose"] = purpose
    return record(EventType.PICTURE_EXPORTED, actor=actor, request=request, target=obj,
                  details=details)


def group_changed(actor: User, group: object, change: str, organisation: object) -> AuditEvent:
    return record(EventType.GROUP_CHANGED, actor=actor, target=group,
                  details={"change": change, "organisation": organisation.name})  # type: ignore


def retention_run(today: object, pieces: int, objects: int,
                  by_legal_basis: dict[str, int], **counts: int) -> AuditEvent:
    return record(EventType.RETENTION_RUN, details={
        "date": str(today), "pieces_removed": pieces, "objects_removed": objects,
        "by_legal_basis": by_legal_basis, **counts})


def information_request(actor: User | None, info_request: object, step: str,
                        request: HttpRequest | None, **details: Any) -> AuditEvent:
    return record(EventType.INFORMATION_REQUEST, actor=actor, request=request,
                  target=info_request, details={"step": step, **details})


def search_made(actor: User, request: HttpRequest | None, query: str, filters: dict,
                results: int, channel: str) -> AuditEvent:
    return record(EventType.SEARCH, actor=actor, request=request,
                  details={"query": query[:200], "filters": filters, "results": results,
                           "channel": channel})


def subject_access(actor: User, obj: object, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.SUBJECT_ACCESS, actor=actor, request=request, target=obj)


def reference_changed(actor: User, item: object, request: HttpRequest | None, change: str,
                      fields: list[str]) -> AuditEvent:
    return record(EventType.REFERENCE_CHANGED, actor=actor, request=request, target=item,
                  details={"change": change, "fields": fields})


def demo_world_built(seed: int, counts: dict[str, int]) -> AuditEvent:
    return record(EventType.DEMO_WORLD_BUILT, details={"seed": seed, "counts": counts})


def signal_reported(actor: User, signal: object, **counts: int | bool) -> AuditEvent:
    return record(EventType.SIGNAL_REPORTED, actor=actor, target=signal,
                  details={"channel": signal.channel, **counts})  # type: ignore[attr-defined]


def signal_triaged(actor: User, signal: object, step: str, **details: Any) -> AuditEvent:
    return record(EventType.SIGNAL_TRIAGED, actor=actor, target=signal,
                  details={"step": step, **details})


def signal_viewed(actor: User, signal: object, request: HttpRequest | None) -> AuditEvent:
    return record(EventType.SIGNAL_VIEWED, actor=actor, request=request, target=signal)


def attachment_downloaded(actor: User, attachment: object,
                          request: HttpRequest | None) -> AuditEvent:
    return record(EventType.ATTACHMENT_DOWNLOADED, actor=actor, request=request,
                  target=attachment.signal,  # type: ignore[attr-defined]
                  details={"attachment": attachment.pk,  # type: ignore[attr-defined]
                           "sha256": attachment.sha256})  # type: ignore[attr-defined]
