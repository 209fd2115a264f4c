"""Information requests: from a hit to the holder's pieces, under a named purpose and basis.

    submitted → approved | partly approved | refused | more information asked
    more information asked → submitted (when the requester replies)

The holder's coordinators decide. Approved pieces become visible to the requesting
organisation through ``PieceGrant`` (the request is their recorded basis); nothing else of the
holder's becomes visible. Every step is audited; e-mail goes out after commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation, Role, User
from havenbeeld.accounts.services import mail
from havenbeeld.audit import events
from havenbeeld.registry.models import Piece, RegistryObject
from havenbeeld.sharing.hits import may_ask
from havenbeeld.sharing.models import InformationRequest, LegalBasis, PieceGrant
from havenbeeld.sharing.visibility import piece_filter

Status = InformationRequest.Status
TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.APPROVED, Status.PARTIAL, Status.REFUSED, Status.MORE_INFO},
    Status.MORE_INFO: {Status.SUBMITTED},
    Status.APPROVED: set(), Status.PARTIAL: set(), Status.REFUSED: set(),
}


class RequestError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _move(request: InformationRequest, to: str) -> None:
    if to not in TRANSITIONS[request.status]:
        raise RequestError(_("This request is %(status)s and cannot change that way.")
                           % {"status": request.get_status_display()})
    request.status = to


def hidden_pieces(request: InformationRequest) -> QuerySet[Piece]:
    """The holder's pieces on the object — or on its records at other partners (the entity's
    resolution cluster) — that the requesting organisation cannot see."""
    from havenbeeld.sharing.hits import entity_objects

    requester = request.requester
    return (Piece.objects.filter(object_id__in=entity_objects(request.object),
                                 organisation=request.holder)
            .exclude(piece_filter(requester)).order_by("observed_at"))


def requests_visible_to(user: User) -> QuerySet[InformationRequest]:
    """Sent by the user's organisation (analysts and up) or received by it (coordinators)."""
    qs = InformationRequest.objects.select_related("object", "holder", "requester_organisation",
                                                   "legal_basis", "requester")
    condition = Q(pk__in=[])
    if policy.can(user, policy.Action.ANALYSE):
        condition |= Q(requester_organisation=user.organisation_id)
    if policy.can(user, policy.Action.ANSWER_INFORMATION_REQUESTS, user.organisation_id):
        condition |= Q(holder=user.organisation_id)
    return qs.filter(condition)


def get_request_for_user(user: User, pk: int) -> InformationRequest:
    found = requests_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _holders_coordinators(organisation: Organisation) -> list[str]:
    return list(User.objects.filter(organisation=organisation, role=Role.COORDINATOR,
                                    is_active=True).values_list("email", flat=True))


def ask(*, actor: User, obj: RegistryObject, holder: Organisation, purpose: str,
        legal_basis: LegalBasis, request: object = None) -> InformationRequest:
    if not may_ask(actor):
        raise RequestError(_("Only analysts and coordinators of public partners can ask for "
                             "information."))
    purpose = " ".join((purpose or "").split())
    if len(purpose) < 5:
        raise RequestError(_("Describe the purpose of your request."))
    if holder.pk == actor.organisation_id:
        raise RequestError(_("You already see what your own organisation holds."))
    draft = InformationRequest(object=obj, requester=actor, holder=holder)
    if not hidden_pieces(draft).exists():
        raise RequestError(_("%(holder)s holds nothing on this object that you cannot see.")
                           % {"holder": holder.name})
    if InformationRequest.objects.filter(object=obj, holder=holder,
                                         status__in=InformationRequest.OPEN,
                                         requester_organisation=actor.organisation).exists():
        raise RequestError(_("Your organisation already has an open request for this."))
    with transaction.atomic():
        created = InformationRequest.objects.create(
            object=obj, requester=actor, requester_organisation=actor.organisation,
            holder=holder, purpose=purpose[:2000], legal_basis=legal_basis,
            deadline=timezone.localdate() + timedelta(days=settings.INFORMATION_REQUEST_DAYS))
        events.information_request(actor, created, "asked", request)
        mail.send_after_commit("information_request_received",
                               _holders_coordinators(holder), {"info_request": created})
    return created


def decide(*, actor: User, info_request: InformationRequest, decision: str,
           piece_ids: list[int] | None = None, message: str = "",
           request: object = None) -> InformationRequest:
    """The holder's coordinator approves (all or some pieces), refuses, or asks for more."""
    policy.require(actor, policy.Action.ANSWER_INFORMATION_REQUESTS, info_request.holder_id)
    if actor.organisation_id != info_request.holder_id and actor.role != Role.PLATFORM_ADMIN:
        raise RequestError(_("Only the holder decides on this request."))
    message = (message or "").strip()[:2000]
    with transaction.atomic():
        locked = InformationRequest.objects.select_for_update().get(pk=info_request.pk)
        hidden = list(hidden_pieces(locked))
        if decision == "approve":
            chosen = [p for p in hidden if piece_ids is None or p.pk in set(piece_ids)]
            if not chosen:
                raise RequestError(_("Choose at least one piece to share, or refuse."))
            _move(locked, Status.APPROVED if len(chosen) == len(hidden) else Status.PARTIAL)
            PieceGrant.objects.bulk_create(
                [PieceGrant(piece=p, organisation=locked.requester_organisation, request=locked)
                 for p in chosen], ignore_conflicts=True)
        elif decision == "refuse":
            if not message:
                raise RequestError(_("Give the reason for the refusal."))
            _move(locked, Status.REFUSED)
        elif decision == "more_info":
            if not message:
                raise RequestError(_("Say what more you need to know."))
            _move(locked, Status.MORE_INFO)
        else:
            raise RequestError(_("Unknown decision."))
        locked.holder_message = message
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        events.information_request(actor, locked, decision, request,
                                   pieces=len(piece_ids or []) if decision == "approve" else 0)
        mail.send_after_commit("information_request_decided", [locked.requester.email],
                               {"info_request": locked})
    return locked


def reply(*, actor: User, info_request: InformationRequest, text: str,
          request: object = None) -> InformationRequest:
    if actor.organisation_id != info_request.requester_organisation_id:
        raise RequestError(_("Only the requesting organisation can reply."))
    text = (text or "").strip()[:2000]
    if not text:
        raise RequestError(_("Write your answer."))
    with transaction.atomic():
        locked = InformationRequest.objects.select_for_update().get(pk=info_request.pk)
        _move(locked, Status.SUBMITTED)
        locked.requester_reply = text
        locked.save(update_fields=["status", "requester_reply"])
        events.information_request(actor, locked, "replied", request)
        mail.send_after_commit("information_request_received",
                               _holders_coordinators(locked.holder), {"info_request": locked})
    return locked


def send_reminders(today: object = None) -> int:
    """Remind holders of open requests due within two days or overdue (once a day)."""
    today = today or timezone.localdate()
    yesterday = timezone.now() - timedelta(hours=23)
    due = InformationRequest.objects.filter(
        status=Status.SUBMITTED, deadline__lte=today + timedelta(days=2)).filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=yesterday))
    count = 0
    for info_request in due.select_related("holder", "object"):
        with transaction.atomic():
            mail.send_after_commit("information_request_reminder",
                                   _holders_coordinators(info_request.holder),
                                   {"info_request": info_request})
            InformationRequest.objects.filter(pk=info_request.pk).update(
                last_reminded_at=timezone.now())
            events.information_request(None, info_request, "reminded", None)
        count += 1
    return count
