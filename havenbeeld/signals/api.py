"""REST endpoints for signals — thin over intake, triage and selectors.

``POST /api/signals`` takes an ``Idempotency-Key`` header: a retried POST returns the signal
made the first time (200) instead of a second one (201).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from havenbeeld.accounts import policy
from havenbeeld.registry.services import RegistryError
from havenbeeld.sharing.visibility import contributor_label
from havenbeeld.signals import attachments as attachment_store
from havenbeeld.signals import intake, selectors, triage
from havenbeeld.signals.models import Channel, Signal, Theme
from havenbeeld.signals.notifications import may_triage

router = Router(tags=["signals"])


class IdentifierIn(Schema):
    scheme: str = Field(..., max_length=30, examples=["container"])
    value: str = Field(..., max_length=64, examples=["MSCU 123456 5"])


class ObjectIn(Schema):
    kind: Literal["company", "person", "address", "vessel", "container", "vehicle",
                  "bank_account"]
    name: str = Field("", max_length=300)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    birth_date: str = Field("", max_length=20, description="YYYY-MM-DD")
    founded: str = Field("", max_length=20, description="YYYY-MM-DD")
    nationality: str = Field("", max_length=60)
    street: str = Field("", max_length=200)
    house_number: str = Field("", max_length=20)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=60)
    registration: str = Field("", max_length=20, description="vehicle registration plate")
    flag: str = Field("", max_length=60)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=2000)
    object_id: int | None = Field(None, description="an existing object you may see")


class SignalIn(Schema):
    theme: str = Field(..., examples=["uithalers"])
    port: str = Field(..., examples=["rotterdam"], description="port slug")
    area_id: int | None = None
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=10_000)
    observed_at: dt.datetime | None = None
    distribution: Literal["own", "group", "convenant", "all"]
    group_id: int | None = None
    legal_basis: str = Field(..., examples=["convenant"])
    pseudonymous: bool = False
    # Far more than a signal may hold: the service refuses with its own clear message.
    objects: list[ObjectIn] = Field(default_factory=list, max_length=10_000)


class EventOut(Schema):
    kind: str
    at: dt.datetime
    from_status: str
    to_status: str
    text: str


class SignalOut(Schema):
    id: int
    reference: str
    theme: str
    port: str
    title: str
    description: str
    observed_at: dt.datetime
    received_at: dt.datetime
    reported_by: str
    distribution: str
    status: str
    close_reason: str
    analysis: str
    linked: bool = Field(description="the signal was linked to other information")
    objects: list[int]
    events: list[EventOut]
    correlations: list[dict] | None = Field(
        None, description="for the triage team: the other pieces it touches that you may see")


class StatusIn(Schema):
    status: Literal["new", "in_progress", "linked", "closed"]
    reason: str = ""
    analysis: str = Field("", max_length=100)
    message: str = Field("", max_length=4000)


class TextIn(Schema):
    text: str = Field(..., max_length=4000)


class ThemeOut(Schema):
    code: str
    name: str
    description: str


class ErrorOut(Schema):
    detail: str
    field: str = ""
    suggestion: str | None = None


def _input(payload: SignalIn) -> intake.SignalInput:
    objects = tuple(intake.ObjectEntry(
        **{k: v for k, v in item.dict().items() if k != "identifiers"},
        identifiers=tuple((i.scheme, i.value) for i in item.identifiers))
        for item in payload.objects)
    data = payload.dict()
    data["objects"] = objects
    return intake.SignalInput(**data)


def _out(request: HttpRequest, signal: Signal) -> SignalOut:
    from havenbeeld.signals.correlation import visible_correlations

    user = request.user
    triaging = may_triage(user)
    correlations = None
    if triaging:
        correlations = [{"object_id": c.piece.object_id, "basis": c.basis, "value": c.value,
                         "organisation": contributor_label(user, c.piece.organisation,
                                                           c.piece.pseudonymous_in),
                         "signal": c.other_signal.reference if c.other_signal else None}
                        for c in visible_correlations(user, signal)]
    return SignalOut(
        id=signal.pk, reference=signal.reference, theme=signal.theme.code,
        port=signal.port.slug, title=signal.title, description=signal.description,
        observed_at=signal.observed_at, received_at=signal.received_at,
        reported_by=selectors.reporter_label(user, signal),
        distribution=signal.distribution, status=signal.status,
        close_reason=signal.close_reason, analysis=signal.analysis_reference,
        linked=signal.correlated,
        objects=[entry.object_id for entry in signal.entries.all()],
        events=[EventOut(kind=e.kind, at=e.at, from_status=e.from_status,
                         to_status=e.to_status,
                         text=e.text if triaging or selectors.is_reporter(user, signal) else "")
                for e in selectors.events_for(user, signal, triage=triaging)],
        correlations=correlations)


@router.get("/themes", response=list[ThemeOut])
def themes(request: HttpRequest) -> list[ThemeOut]:
    """The themes a signal can have."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    return [ThemeOut(code=t.code, name=t.name, description=t.description)
            for t in Theme.objects.filter(active=True)]


@router.post("/signals", response={201: SignalOut, 200: SignalOut, 422: ErrorOut})
def report(request: HttpRequest, payload: SignalIn) -> Status:
    """Report a signal with its objects. Runs the whole intake pipeline: validate, resolve the
    objects, record pieces with your distribution and legal basis, correlate, notify."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    key = request.headers.get("Idempotency-Key", "")[:100] or None
    submission = intake.submit(actor=request.user, data=_input(payload), channel=Channel.API,
                               idempotency_key=key)
    return Status(201 if submission.created else 200, _out(request, submission.signal))


@router.get("/signals", response=list[SignalOut])
def list_signals(request: HttpRequest, mine: bool = False, status: str = "",
                 port: str = "", theme: str = "", limit: int = 50) -> list[SignalOut]:
    """Signals you may see (``mine=true``: your organisation's own, with their feedback)."""
    user = request.user
    if mine:
        query = selectors.own_signals(user)
        if status:
            query = query.filter(status=status)
    else:
        query = selectors.triage_queue(user, selectors.Filters(port=port, theme=theme,
                                                               status=status))
    query = selectors.with_details(user, query)
    return [_out(request, s) for s in query[:max(1, min(limit, 200))]]


@router.get("/signals/{signal_id}", response={200: SignalOut, 404: ErrorOut})
def get_signal(request: HttpRequest, signal_id: int) -> SignalOut:
    return _out(request, selectors.get_signal_for_user(request.user, signal_id))


def _triage_call(func, request: HttpRequest, signal_id: int, **kwargs: object) -> SignalOut:
    signal = selectors.get_signal_for_user(request.user, signal_id)
    try:
        func(actor=request.user, signal=signal, **kwargs)
    except triage.TriageError as exc:
        raise RegistryError(exc.message, exc.field) from None
    signal.refresh_from_db()
    return _out(request, signal)


@router.post("/signals/{signal_id}/status", response={200: SignalOut, 404: ErrorOut,
                                                       422: ErrorOut})
def set_status(request: HttpRequest, signal_id: int, payload: StatusIn) -> SignalOut:
    """Triage: move the signal (closing needs ``reason``, linking ``analysis``)."""
    return _triage_call(triage.change_status, request, signal_id, status=payload.status,
                        reason=payload.reason, analysis=payload.analysis,
                        message=payload.message)


@router.post("/signals/{signal_id}/feedback", response={200: SignalOut, 404: ErrorOut,
                                                         422: ErrorOut})
def feedback(request: HttpRequest, signal_id: int, payload: TextIn) -> SignalOut:
    """Triage: a short message to the reporting organisation."""
    return _triage_call(triage.give_feedback, request, signal_id, text=payload.text)


@router.post("/signals/{signal_id}/attachments", response={201: SignalOut, 404: ErrorOut,
                                                            422: ErrorOut})
def add_attachment(request: HttpRequest, signal_id: int,
                   file: UploadedFile = File(...)) -> Status:  # noqa: B008
    """Add a file to your organisation's signal (checked by content, scanned)."""
    signal = selectors.get_signal_for_user(request.user, signal_id)
    if not selectors.is_reporter(request.user, signal):
        raise PermissionDenied
    attachment_store.add(signal, request.user, intake.Upload(file.name or "",
                                                             file.read(_max_read())))
    return Status(201, _out(request, signal))


def _max_read() -> int:
    from django.conf import settings

    return settings.SIGNAL_ATTACHMENT_MAX_BYTES + 1
