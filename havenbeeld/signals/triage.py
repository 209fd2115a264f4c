"""Triage: analysts move a signal through its lifecycle, assign it, comment, and tell the
reporter what became of it.

    new → in progress → linked to an analysis → closed (with a reason)
    new → closed; in progress → closed; closed → in progress (reopened)

Every step is a ``SignalEvent`` and an audit event; status changes and feedback reach the
reporter (``for_reporter``), comments stay with the triage team.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.registry.names import clean_display
from havenbeeld.signals import notifications
from havenbeeld.signals.models import CloseReason, EventKind, Signal, SignalEvent, Status
from havenbeeld.signals.selectors import signals_visible_to

MOVES: dict[str, set[str]] = {
    Status.NEW: {Status.IN_PROGRESS, Status.CLOSED},
    Status.IN_PROGRESS: {Status.LINKED, Status.CLOSED},
    Status.LINKED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: {Status.IN_PROGRESS},
}
MAX_TEXT = 4000


class TriageError(ValueError):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _require_triage(actor: User, signal: Signal) -> None:
    from django.core.exceptions import PermissionDenied

    if not notifications.may_triage(actor):
        raise PermissionDenied
    if not signals_visible_to(actor).filter(pk=signal.pk).exists():
        raise PermissionDenied
    # Every triage step adds to the signal's history: what was prefetched of it (intake keeps
    # the events it wrote) is no longer whole.
    getattr(signal, "_prefetched_objects_cache", {}).pop("events", None)


def _text(text: str, field: str, required: bool) -> str:
    cleaned = clean_display(text or "", keep_newlines=True)
    if required and not cleaned:
        raise TriageError(_("Write a text."), field)
    if len(cleaned) > MAX_TEXT:
        raise TriageError(_("The text is longer than %(max)d characters.") % {"max": MAX_TEXT},
                          field)
    return cleaned


def change_status(*, actor: User, signal: Signal, status: str, reason: str = "",
                  analysis: str = "", message: str = "") -> SignalEvent:
    """Move the signal; closing needs a reason, linking an analysis. ``message`` (optional)
    goes to the reporter with the new status."""
    _require_triage(actor, signal)
    if status not in Status.values:
        raise TriageError(_("Unknown status."), "status")
    if status not in MOVES[signal.status]:
        raise TriageError(_("A signal cannot go from “%(from)s” to “%(to)s”.") % {
            "from": Status(signal.status).label, "to": Status(status).label}, "status")
    if status == Status.CLOSED and reason not in CloseReason.values:
        raise TriageError(_("Say why the signal is closed."), "reason")
    analysis = clean_display(analysis or "")[:100]
    if status == Status.LINKED and not analysis:
        raise TriageError(_("Name the analysis (its number or title)."), "analysis")
    message = _text(message, "message", required=False)
    previous = signal.status
    with transaction.atomic():
        signal.status = status
        signal.close_reason = reason if status == Status.CLOSED else ""
        if status == Status.LINKED:
            signal.analysis_reference = analysis
        signal.status_changed_at = timezone.now()
        if signal.assigned_to_id is None and status == Status.IN_PROGRESS:
            signal.assigned_to = actor
        signal.save(update_fields=["status", "close_reason", "analysis_reference",
                                   "status_changed_at", "assigned_to"])
        event = SignalEvent.objects.create(signal=signal, kind=EventKind.STATUS, actor=actor,
                                           from_status=previous, to_status=status,
                                           text=message, for_reporter=True)
        events.signal_triaged(actor, signal, "status", previous=previous, status=status,
                              reason=signal.close_reason)
        notifications.status_changed(signal, actor)
    return event


def assign(*, actor: User, signal: Signal, assignee: User | None) -> SignalEvent:
    _require_triage(actor, signal)
    if assignee is not None and not (notifications.may_triage(assignee) and signals_visible_to(
            assignee).filter(pk=signal.pk).exists()):
        raise TriageError(_("%(name)s cannot triage this signal.")
                          % {"name": assignee.full_name}, "assignee")
    with transaction.atomic():
        signal.assigned_to = assignee
        signal.save(update_fields=["assigned_to"])
        event = SignalEvent.objects.create(
            signal=signal, kind=EventKind.ASSIGNED, actor=actor,
            text=assignee.full_name if assignee else "")
        events.signal_triaged(actor, signal, "assigned",
                              assignee=assignee.email if assignee else "")
        if assignee is not None:
            notifications.assigned(signal, assignee, actor)
    return event


def comment(*, actor: User, signal: Signal, text: str) -> SignalEvent:
    """A note for the triage team; the reporter does not see it."""
    _require_triage(actor, signal)
    text = _text(text, "text", required=True)
    with transaction.atomic():
        event = SignalEvent.objects.create(signal=signal, kind=EventKind.COMMENT, actor=actor,
                                           text=text)
        events.signal_triaged(actor, signal, "comment")
    return event


def give_feedback(*, actor: User, signal: Signal, text: str) -> SignalEvent:
    """A short message to the reporting organisation."""
    _require_triage(actor, signal)
    text = _text(text, "text", required=True)
    with transaction.atomic():
        event = SignalEvent.objects.create(signal=signal, kind=EventKind.FEEDBACK, actor=actor,
                                           text=text, for_reporter=True)
        events.signal_triaged(actor, signal, "feedback")
        notifications.feedback_given(signal, actor)
    return event
