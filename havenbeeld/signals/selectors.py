"""Reading signals as one viewer may: which signals, which steps, who reported them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.registry.picture import label_of
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.sharing.visibility import (
    contributor_label,
    distribution_filter,
    sees_real_contributor,
)
from havenbeeld.signals.models import Signal, SignalEvent


def signals_visible_to(user: User) -> QuerySet[Signal]:
    """Signals distributed to the user's organisation (the same rule as pieces)."""
    if not policy.can(user, policy.Action.READ_SHARED_INFORMATION):
        return Signal.objects.none()
    return Signal.objects.filter(distribution_filter(user))


def get_signal_for_user(user: User, pk: int) -> Signal:
    try:
        return signals_visible_to(user).select_related(
            "organisation", "theme", "port", "area", "legal_basis", "group", "assigned_to",
            "reported_by").get(pk=pk)
    except Signal.DoesNotExist:
        raise Http404 from None


def is_reporter(user: User, signal: Signal) -> bool:
    return user.organisation_id == signal.organisation_id


def reporter_label(viewer: User, signal: Signal) -> str:
    return contributor_label(viewer, signal.organisation,
                             signal.port.name if signal.pseudonymous else "")


def events_for(user: User, signal: Signal, *, triage: bool) -> list[SignalEvent]:
    """The triage team reads every step; the reporting organisation what is meant for it; any
    other reader the status steps only (their messages are the reporter's). ``actor_label``
    names who took the step — never a person of a pseudonymous reporter to those who may not
    know the reporter."""
    prefetched = "events" in getattr(signal, "_prefetched_objects_cache", {})
    events = list(signal.events.all() if prefetched else signal.events.select_related("actor"))
    if not triage:
        reporter = is_reporter(user, signal)
        events = [e for e in events if (e.for_reporter if reporter
                                        else e.kind in ("reported", "status"))]
    hide = signal.pseudonymous and not sees_real_contributor(user, signal.organisation_id)
    shown = events
    for event in shown:
        actor = event.actor
        if actor is None:
            event.actor_label = ""
        elif hide and actor.organisation_id == signal.organisation_id:
            event.actor_label = reporter_label(user, signal)
        else:
            event.actor_label = actor.full_name
    return shown


@dataclass(frozen=True)
class Entry:
    object_id: int
    kind: str
    label: str


def entries_for(user: User, signal: Signal) -> list[Entry]:
    """The signal's objects, each named by what the viewer sees of it."""
    entries = list(signal.entries.select_related("object"))
    pieces: dict[int, list] = {}
    for piece in pieces_visible_to(user).filter(
            object_id__in=[e.object_id for e in entries], retracts=False):
        pieces.setdefault(piece.object_id, []).append(piece)
    return [Entry(e.object_id, e.object.get_kind_display(),
                  label_of(e.object, pieces.get(e.object_id, []))) for e in entries]


@dataclass
class Filters:
    port: str = ""
    theme: str = ""
    organisation_id: int | None = None
    status: str = ""
    older_than_days: int | None = None
    assigned: str = ""  # "me", "nobody" or ""


OPEN = ("new", "in_progress", "linked")


def triage_queue(user: User, filters: Filters) -> QuerySet[Signal]:
    """Signals the user may see, for triage: open ones by default, oldest first."""
    query = signals_visible_to(user).select_related("organisation", "theme", "port",
                                                    "assigned_to")
    query = query.filter(status=filters.status) if filters.status else query.filter(
        status__in=OPEN)
    if filters.port:
        query = query.filter(port__slug=filters.port)
    if filters.theme:
        query = query.filter(theme__code=filters.theme)
    if filters.organisation_id:
        # A pseudonymous reporter is not findable by name, except by those who may know it.
        query = query.filter(organisation_id=filters.organisation_id)
        if not sees_real_contributor(user, filters.organisation_id):
            query = query.filter(pseudonymous=False)
    if filters.older_than_days:
        query = query.filter(received_at__lte=timezone.now() - dt.timedelta(
            days=filters.older_than_days))
    if filters.assigned == "me":
        query = query.filter(assigned_to=user)
    elif filters.assigned == "nobody":
        query = query.filter(assigned_to__isnull=True)
    return query.order_by("received_at")


def own_signals(user: User) -> QuerySet[Signal]:
    """The signals of the user's organisation, newest first (the reporter's feedback list)."""
    if not policy.can(user, policy.Action.READ_SHARED_INFORMATION):
        return Signal.objects.none()
    return (Signal.objects.filter(organisation_id=user.organisation_id)
            .select_related("theme", "port").order_by("-received_at"))


def signals_about(user: User, obj: object, limit: int = 20) -> list[Signal]:
    """Signals the user may see about the object or another record of the same entity."""
    from havenbeeld.resolution.services import cluster_members

    return list(signals_visible_to(user).filter(
        entries__object_id__in=cluster_members(obj.pk)).distinct()
        .select_related("theme", "port").order_by("-received_at")[:limit])


def with_details(user: User, signals: QuerySet[Signal]) -> QuerySet[Signal]:
    """``signals`` with what a list of them shows, read in a fixed number of queries however
    long the list: objects, events with their actors, and — for the triage team — the
    correlations whose other piece the user may see (as ``shown_correlations``)."""
    from havenbeeld.signals.correlation import visible_correlations_query
    from havenbeeld.signals.notifications import may_triage

    query = signals.select_related("organisation", "theme", "port").prefetch_related(
        "entries", Prefetch("events", queryset=SignalEvent.objects.select_related("actor")))
    if may_triage(user):
        query = query.prefetch_related(Prefetch(
            "correlations", queryset=visible_correlations_query(user),
            to_attr="shown_correlations"))
    return query
