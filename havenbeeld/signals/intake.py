"""Signal intake: the one pipeline every channel (web form, API, file) runs (DESIGN.md §2).

    validate → resolve objects → record pieces → correlate → (score: a later issue) → notify

``submit`` validates everything first — theme, port, distribution, legal basis, every object
and identifier, attachments — and raises ``SignalError`` with a message for the reporter before
anything is written. Then the signal, its objects and pieces (with the reporter's distribution
and legal basis) and its attachments are recorded. Resolution, correlation and notification
follow, each in a savepoint of its own: the signal is on record even if one of them fails, and
``havenbeeld resolve`` / a later signal catch up with what they missed.

How that is committed depends on the database. SQLite lets one transaction write at a time, so
the signal is committed first, and the steps after it read outside any transaction and hold the
write lock only while they write. PostgreSQL lets writers work side by side but waits for the
disk at every commit (a few milliseconds on these machines): there the signal and what the steps
found are committed together, once.

A retried submission with the same idempotency key returns the first signal and records
nothing; the same key with a different payload is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.core import hot
from havenbeeld.places.models import Port, PortArea
from havenbeeld.registry import identifiers
from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject, Source
from havenbeeld.registry.names import clean_display
from havenbeeld.registry.selectors import get_object_for_user
from havenbeeld.registry.services import (
    Fact,
    Provenance,
    RegistryError,
    build_pieces,
    check_provenance,
    save_pieces,
)
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis
from havenbeeld.signals.models import Channel, EventKind, Signal, SignalEvent, SignalObject, Theme

log = logging.getLogger(__name__)

MAX_OBJECTS = 50
MAX_IDENTIFIERS = 10
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
# Identifiers that say which object it is: an own object carrying one is reused.
STRONG_SCHEMES = {"kvk", "rsin", "btw", "eori", "imo", "mmsi", "container", "iban", "bsn"}


class SignalError(RegistryError):
    """A submission that cannot be recorded; ``field`` names where (``objects.2.kvk``)."""


@dataclass(frozen=True)
class ObjectEntry:
    """One object as a reporter enters it: structured fields, not free text."""

    kind: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: str = ""
    founded: str = ""
    nationality: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    registration: str = ""
    flag: str = ""
    identifiers: tuple[tuple[str, str], ...] = ()
    note: str = ""
    object_id: int | None = None  # an existing object the reporter sees ("did you mean")

    def facts(self) -> list[Fact]:
        name = self.name
        if self.kind == ObjectKind.PERSON and not name:
            name = " ".join(p for p in (self.first_name, self.last_name) if p.strip())
        facts = [Fact(Property.NAME, name)] if name.strip() else []
        facts += [Fact(Property.IDENTIFIER, value, scheme=scheme)
                  for scheme, value in self.identifiers if value.strip()]
        for prop, value in ((Property.BIRTH_DATE, self.birth_date),
                            (Property.FOUNDED, self.founded),
                            (Property.NATIONALITY, self.nationality),
                            (Property.STREET, self.street),
                            (Property.HOUSE_NUMBER, self.house_number),
                            (Property.POSTCODE, self.postcode), (Property.CITY, self.city),
                            (Property.COUNTRY, self.country),
                            (Property.REGISTRATION, self.registration),
                            (Property.FLAG, self.flag), (Property.NOTE, self.note)):
            if value.strip():
                facts.append(Fact(prop, value))
        return facts


@dataclass(frozen=True)
class SignalInput:
    theme: str
    port: str
    title: str
    distribution: str
    legal_basis: str
    description: str = ""
    observed_at: dt.datetime | None = None
    area_id: int | None = None
    group_id: int | None = None
    pseudonymous: bool = False
    objects: tuple[ObjectEntry, ...] = ()

    def fingerprint(self) -> str:
        """A hash of the payload, to tell a retry from a different signal with a reused key:
        of the JSON of ``dataclasses.asdict(self)`` (``_plain``), so it stays what it was."""
        return hashlib.sha256(json.dumps(_plain(self), sort_keys=True, default=str).encode()
                              ).hexdigest()


def _plain(value: Any) -> Any:
    """``value`` as ``dataclasses.asdict`` gives it, as far as JSON tells: a dataclass as a
    dict of its fields, a tuple or list as a list — without ``asdict``'s deep copy of every
    value (a millisecond of every signal under the profiler)."""
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


@dataclass
class Upload:
    """An attachment as received (not yet inspected)."""

    name: str
    data: bytes


@dataclass
class Submission:
    signal: Signal
    created: bool
    objects_created: int = 0
    pieces: int = 0
    correlations: int = 0
    notified: int = 0
    warnings: list[str] = field(default_factory=list)
    # What the steps after the commit work on, as recorded (not read back).
    kinds: dict[int, str] = field(default_factory=dict)  # object id → kind
    saved: list[Piece] = field(default_factory=list)
    new_objects: frozenset[int] = frozenset()  # created by this signal


@dataclass
class _Checked:
    theme: Theme
    port: Port
    area: PortArea | None
    title: str
    description: str
    provenance: Provenance
    objects: list[tuple[ObjectEntry, RegistryObject | None, list[Piece]]]
    attachments: list


def _fail(message: str, field_name: str = "", suggestion: str | None = None) -> SignalError:
    return SignalError(message, field_name, suggestion)


def _check_text(data: SignalInput) -> tuple[str, str]:
    title = clean_display(data.title or "")
    if not title:
        raise _fail(_("Give the signal a short title."), "title")
    if len(title) > MAX_TITLE:
        raise _fail(_("The title is longer than %(max)d characters.") % {"max": MAX_TITLE},
                    "title")
    # Free text is stored as text and always shown escaped; control characters go.
    description = clean_display(data.description or "", keep_newlines=True)
    if len(description) > MAX_DESCRIPTION:
        raise _fail(_("The description is longer than %(max)d characters.")
                    % {"max": MAX_DESCRIPTION}, "description")
    return title, description


_Known = tuple[Theme, Port, LegalBasis]


def _known(data: SignalInput) -> _Known | None:
    """The theme, port and legal basis the signal names, in one read (every signal names all
    three); None when one of them is unknown — the checks then say which."""
    found = hot.joined(
        [(Theme, "t"), (Port, "p"), (LegalBasis, "l")],
        f'"{Theme._meta.db_table}" t, "{Port._meta.db_table}" p, '
        f'"{LegalBasis._meta.db_table}" l',
        't."code" = %s AND t."active" AND p."slug" = %s AND l."code" = %s',
        [data.theme, data.port, data.legal_basis], limit=1)
    return found[0] if found else None  # type: ignore[return-value]


def _check_place(data: SignalInput, known: _Known | None
                 ) -> tuple[Theme, Port, PortArea | None]:
    theme = known[0] if known else hot.instance(Theme, '"code" = %s AND "active"', [data.theme])
    if theme is None:
        raise _fail(_("Unknown theme %(theme)s; choose one of: %(themes)s.") % {
            "theme": data.theme, "themes": ", ".join(
                Theme.objects.filter(active=True).values_list("code", flat=True))}, "theme")
    port = known[1] if known else hot.instance(Port, '"slug" = %s', [data.port])
    if port is None:
        raise _fail(_("Unknown port %(port)s.") % {"port": data.port}, "port")
    area = None
    if data.area_id is not None:
        area = PortArea.objects.filter(pk=data.area_id, port=port).first()
        if area is None:
            raise _fail(_("This port area or terminal is not in %(port)s.")
                        % {"port": port.name}, "area")
    return theme, port, area


def _signal_provenance(actor: User, data: SignalInput, theme: Theme, known: _Known | None
                       ) -> Provenance:
    if data.distribution not in Distribution.values:
        raise _fail(_("Unknown distribution %(value)s.") % {"value": data.distribution},
                    "distribution")
    basis = known[2] if known else hot.instance(LegalBasis, '"code" = %s', [data.legal_basis])
    if basis is None:
        raise _fail(_("Unknown legal basis %(basis)s.") % {"basis": data.legal_basis},
                    "legal_basis")
    group = None
    if data.group_id is not None:
        group = CollaborationGroup.objects.filter(pk=data.group_id, active=True).first()
        if group is None:
            raise _fail(_("Unknown collaboration group."), "group")
    if data.pseudonymous and actor.organisation.is_public:
        raise _fail(_("Only private partners can report pseudonymously."), "pseudonymous")
    observed = data.observed_at or timezone.now()
    if timezone.is_naive(observed):
        observed = timezone.make_aware(observed)
    provenance = Provenance(source=Source.SIGNAL, distribution=Distribution(data.distribution),
                            legal_basis=basis, observed_at=observed, group=group)
    try:
        provenance = check_provenance(actor, provenance)
    except RegistryError as exc:
        raise _fail(exc.message, exc.field) from None
    if theme.retention_days:  # the theme's default, where it is shorter
        by_theme = timezone.localdate() + dt.timedelta(days=theme.retention_days)
        provenance = replace(provenance, retain_until=min(provenance.retain_until, by_theme))
    return provenance


def _own_objects(actor: User, entries: list[ObjectEntry]) -> list[RegistryObject | None]:
    """Per entry, an object the reporter's organisation already recorded with one of the
    entry's strong identifiers (the first of them that it holds, in the entry's order): the new
    pieces join it instead of making a second record of their own. One read for all entries."""
    wanted: list[list[tuple[str, str]]] = []
    asked: dict[tuple[str, str, str], None] = {}  # (scheme, value, kind), each once
    for entry in entries:
        keys = []
        for scheme, value in entry.identifiers:
            if scheme not in STRONG_SCHEMES:
                continue
            try:
                keys.append((scheme, identifiers.normalise(scheme, value).value))
            except identifiers.InvalidIdentifier:
                continue
            asked[(*keys[-1], entry.kind)] = None
        wanted.append(keys)
    if not asked:
        return [None] * len(entries)
    # A UNION ALL of one index lookup (property, scheme, value) per identifier, each stopped at
    # the first holder: PostgreSQL planned the equivalent OR of conditions afresh for every
    # signal, at ten times the cost of running it (core.hot: SQL, not ORM).
    part = ('SELECT * FROM (SELECT p."scheme", p."value_normalised", o."kind", p."object_id" '
            'FROM "registry_piece" p INNER JOIN "registry_object" o ON o."id" = p."object_id" '
            'WHERE p."property" = %s AND p."scheme" = %s AND p."value_normalised" = %s '
            'AND p."organisation_id" = %s AND o."kind" = %s LIMIT 1) AS h')
    params: list[Any] = []
    for scheme, value, kind in asked:
        params += [Property.IDENTIFIER, scheme, value, actor.organisation_id, kind]
    held = {(scheme, value, kind): object_id for scheme, value, kind, object_id in hot.rows(
        " UNION ALL ".join(f"{part}{i}" for i in range(len(asked))), params)}
    found: list[RegistryObject | None] = []
    for entry, keys in zip(entries, wanted, strict=True):
        object_id = next((held[(scheme, value, entry.kind)] for scheme, value in keys
                          if (scheme, value, entry.kind) in held), None)
        # Of the entry's kind, as filtered: no need to read the object again.
        found.append(RegistryObject(pk=object_id, kind=entry.kind) if object_id else None)
    return found


def _check_objects(actor: User, data: SignalInput, provenance: Provenance
                   ) -> list[tuple[ObjectEntry, RegistryObject | None, list[Piece]]]:
    if len(data.objects) > MAX_OBJECTS:
        raise _fail(_("A signal can name at most %(max)d objects; this one names %(count)d. "
                      "Send larger sets as a file.")
                    % {"max": MAX_OBJECTS, "count": len(data.objects)}, "objects")
    checked = []
    for position, entry in enumerate(data.objects):
        where = f"objects.{position}"
        if entry.kind not in ObjectKind.values:
            raise _fail(_("Object %(n)d: unknown kind %(kind)s.")
                        % {"n": position + 1, "kind": entry.kind}, f"{where}.kind")
        if len(entry.identifiers) > MAX_IDENTIFIERS:
            raise _fail(_("Object %(n)d has more than %(max)d identifiers.")
                        % {"n": position + 1, "max": MAX_IDENTIFIERS}, f"{where}.identifiers")
        existing = None
        if entry.object_id is not None:
            try:
                existing = get_object_for_user(actor, entry.object_id)
            except Http404:  # not there or not visible — the same answer
                raise _fail(_("Object %(n)d: the chosen existing object was not found.")
                            % {"n": position + 1}, f"{where}.object_id") from None
            if existing.kind != entry.kind:
                raise _fail(_("Object %(n)d: the chosen existing object is a %(kind)s.")
                            % {"n": position + 1, "kind": existing.get_kind_display()},
                            f"{where}.object_id")
        facts = entry.facts()
        if not facts:
            raise _fail(_("Object %(n)d (%(kind)s) has no fields filled in.")
                        % {"n": position + 1, "kind": ObjectKind(entry.kind).label}, where)
        target = existing or RegistryObject(kind=entry.kind)
        try:
            pieces = build_pieces(actor=actor, obj=target, facts=facts, provenance=provenance)
        except RegistryError as exc:
            message = _("Object %(n)d: %(message)s") % {"n": position + 1,
                                                         "message": exc.message}
            raise _fail(message, f"{where}.{exc.field}", exc.suggestion) from None
        checked.append((entry, existing, pieces))
    return checked


def validate(actor: User, data: SignalInput, uploads: Sequence[Upload] = ()) -> _Checked:
    """Everything a submission needs, checked; nothing written."""
    from havenbeeld.signals import attachments

    policy.require(actor, policy.Action.CONTRIBUTE_INFORMATION)
    title, description = _check_text(data)
    known = _known(data)
    theme, port, area = _check_place(data, known)
    provenance = _signal_provenance(actor, data, theme, known)
    objects = _check_objects(actor, data, provenance)
    if not objects and not description:
        raise _fail(_("Describe what you saw or name at least one object."), "description")
    checked_uploads = attachments.check_all(uploads)
    return _Checked(theme, port, area, title, description, provenance, objects,
                    checked_uploads)


def _existing(key: str | None, fingerprint: str) -> Signal | None:
    if key is None:
        return None
    found = hot.rows('SELECT "id", "payload_hash" FROM "signals_signal" '
                     'WHERE "idempotency_key" = %s', [key])
    if not found:  # the usual case: one indexed read, no signal loaded
        return None
    if found[0][1] != fingerprint:
        raise _fail(_("This idempotency key was already used for a different signal."),
                    "idempotency_key")
    return Signal.objects.get(pk=found[0][0])


def submit(*, actor: User, data: SignalInput, channel: str = Channel.WEB,
           idempotency_key: str | None = None, uploads: Sequence[Upload] = ()) -> Submission:
    """Run the pipeline for one signal (see the module docstring)."""
    key = f"{actor.organisation_id}:{idempotency_key}"[:160] if idempotency_key else None
    fingerprint = data.fingerprint()
    # The key is not looked up first: nearly every submission is new, and a retry is found
    # by the key's unique index when the signal goes in — the first write, before any file is
    # stored (``IntegrityError`` below). A retry the checks now refuse (a theme retired since,
    # say) still gets the signal made the first time.
    try:
        checked = validate(actor, data, uploads)
    except SignalError:
        earlier = _existing(key, fingerprint)
        if earlier is not None:
            return Submission(earlier, created=False)
        raise
    together = connection.vendor != "sqlite"  # see the module docstring
    stored: list[str] = []
    try:
        with transaction.atomic() if together else contextlib.nullcontext():
            submission = _record(actor, data, checked, channel, key, fingerprint, stored,
                                 audit=not together)
            if together:
                _after_record(submission)
                # Last in the transaction: appending locks the audit chain's head until the
                # commit, and every signal appends — parallel intakes waited for each other
                # through resolution and correlation when this came first.
                _audit_reported(actor, data, checked, submission)
    except IntegrityError:
        # The same key committed by a parallel retry a moment ago.
        _remove_files(stored)
        earlier = _existing(key, fingerprint)
        if earlier is None:
            raise
        return Submission(earlier, created=False)
    except BaseException:
        _remove_files(stored)
        raise
    if not together:
        _after_record(submission)
    return submission


def _remove_files(stored: list[str]) -> None:
    from havenbeeld.signals import attachments

    attachments.remove_files(stored)


def _record(actor: User, data: SignalInput, checked: _Checked, channel: str,
            key: str | None, fingerprint: str, stored: list[str], *, audit: bool = True
            ) -> Submission:
    """Record the signal in a transaction (within the caller's, on PostgreSQL); the
    attachments' files it stores are added to ``stored``, for the caller to remove should the
    signal not be committed after all. ``audit``: append the audit entry here (else the
    caller does, later in its transaction: ``_audit_reported``)."""
    from havenbeeld.signals import attachments

    provenance = checked.provenance
    pseudonymous_in = checked.port.name if data.pseudonymous else ""
    with transaction.atomic(savepoint=False):
        signal = Signal(
            organisation=actor.organisation, reported_by=actor, channel=channel,
            theme=checked.theme, port=checked.port, area=checked.area,
            title=checked.title, description=checked.description,
            observed_at=provenance.observed_at, distribution=provenance.distribution,
            group=provenance.group, legal_basis=provenance.legal_basis,
            retain_until=provenance.retain_until, pseudonymous=data.pseudonymous,
            idempotency_key=key, payload_hash=fingerprint)
        _insert_with_reference(signal)
        pieces, entries = [], []
        kinds: dict[int, str] = {}
        own = _own_objects(actor, [entry for entry, existing, _unsaved in checked.objects
                                   if existing is None])
        targets = [existing or own.pop(0) for _entry, existing, _unsaved in checked.objects]
        fresh = {position: RegistryObject(kind=checked.objects[position][0].kind)
                 for position, obj in enumerate(targets) if obj is None}
        hot.insert(list(fresh.values()))  # one statement, ids returned
        created = len(fresh)
        for position, (_entry, existing, unsaved) in enumerate(checked.objects):
            obj = targets[position] or fresh[position]
            for piece in unsaved:
                piece.object = obj
                piece.object_id = obj.pk
                piece.pseudonymous_in = pseudonymous_in
            pieces += unsaved
            if obj.pk not in kinds:
                kinds[obj.pk] = obj.kind
                entries.append(SignalObject(signal=signal, object=obj, position=position,
                                            created=existing is None))
        saved = save_pieces(pieces, notify=False)
        hot.insert_values(Signal.pieces.through, ("signal_id", "piece_id"),
                          [(signal.pk, p.pk) for p in saved])
        hot.insert(entries)
        reported = SignalEvent(signal=signal, kind=EventKind.REPORTED, actor=actor,
                               to_status=signal.status, for_reporter=True)
        hot.insert([reported])
        # What the signal holds now, as if prefetched: its page and the API's answer need
        # not read back what was just written.
        signal._prefetched_objects_cache = {"entries": _filled(signal.entries, entries),
                                            "events": _filled(signal.events, [reported])}
        stored += attachments.store_all(signal, actor, checked.attachments)
        submission = Submission(signal, created=True, objects_created=created,
                                pieces=len(saved), kinds=kinds, saved=saved,
                                new_objects=frozenset(obj.pk for obj in fresh.values()))
        if audit:
            _audit_reported(actor, data, checked, submission)
    return submission


def _insert_with_reference(signal: Signal) -> None:
    """Insert the signal with its reference, which holds its primary key, in one statement:
    the key is drawn in it — from the table's sequence on PostgreSQL, on SQLite as
    ``AUTOINCREMENT`` would (one more than the highest ever given; a statement holds the write
    lock) — and the reference made from it there. Drawing the key first took a round trip of
    its own on PostgreSQL; on SQLite the reference was set by an update after the insert,
    which wrote the row twice."""
    table = Signal._meta.db_table
    if connection.vendor == "postgresql":
        head = ('WITH "k" AS MATERIALIZED '
                '(SELECT nextval(pg_get_serial_sequence(%s, \'id\')) AS "n") ')
        key = '(SELECT "n" FROM "k")'
        reference = f"%s || lpad({key}::text, greatest(6, length({key}::text)), '0')"
    else:
        head = ""
        key = (f'(SELECT max(coalesce((SELECT "seq" FROM "sqlite_sequence" '  # noqa: S608
               f'WHERE "name" = \'{table}\'), 0), coalesce((SELECT max("id") FROM "{table}"), '
               '0)) + 1)')
        reference = f"%s || printf('%%06d', {key})"
    signal.pk, signal.reference = 0, ""  # in the statement below, not from these
    sql, params = hot.insert_statement(signal)
    columns = [field.column for field in Signal._meta.concrete_fields]
    drawn = {"id": key, "reference": reference}
    values = ", ".join(drawn.get(column, "%s") for column in columns)
    params = [f"S-{signal.received_at:%Y}-" if column == "reference" else value
              for column, value in zip(columns, params, strict=True) if column != "id"]
    sql = sql[:sql.index(" VALUES (")] + f" VALUES ({values})"
    with connection.cursor() as cursor:
        cursor.execute(f'{head}{sql} RETURNING "id", "reference"',
                       [table, *params] if head else params)
        signal.pk, signal.reference = cursor.fetchone()
    signal._state.adding = False
    signal._state.db = connection.alias


def _audit_reported(actor: User, data: SignalInput, checked: _Checked,
                    submission: Submission) -> None:
    events.signal_reported(actor, submission.signal, objects=len(submission.kinds),
                           pieces=submission.pieces, attachments=len(checked.attachments),
                           pseudonymous=data.pseudonymous)


def _filled(manager: Any, rows: list) -> Any:
    """The related manager's queryset holding ``rows`` as if it had read them (as
    ``prefetch_related`` leaves it: iterating reads nothing, filtering reads afresh)."""
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


@dataclass
class _Step:
    """A step after the record: what it reads, then what it writes with that."""

    name: str
    read: Callable[[], Any]
    write: Callable[[Any], Any]


def _steps(submission: Submission) -> list[_Step]:
    from havenbeeld.resolution import services as resolution
    from havenbeeld.signals import correlation, notifications

    signal, kinds = submission.signal, submission.kinds
    steps = []
    if kinds and settings.SIGNAL_RESOLVE_ON_INTAKE:
        steps.append(_Step("resolution", lambda: resolution.prepare_intake(
            list(kinds), kinds, new=submission.new_objects), lambda found: found.apply()))
    # The objects' resolution clusters as resolution left them, read by correlation (each
    # time it runs) and used again by notification: the watchers of the same entity. Gone
    # before each read, so that a correlation failing on the way leaves notification to read
    # for itself, never an answer from a rolled-back attempt.
    entity: dict[str, dict[int, int]] = {}

    def correlate(values: Any) -> int:
        entity.clear()
        entity["clusters"] = resolution.entity_clusters(kinds)
        return correlation.correlate(signal, submission.saved, kinds, values,
                                     clusters=entity["clusters"])

    steps.append(_Step(
        "correlation", lambda: correlation.prepare_values(submission.saved, kinds),
        correlate))
    # Risk scoring arrives with the risk issue; it will run here, between correlate and notify.
    steps.append(_Step(
        "notification", lambda: notifications.triage_team(signal),
        lambda team: notifications.signal_reported(signal, set(kinds), team=team,
                                                   clusters=entity.get("clusters"))))
    return steps


def _after_record(submission: Submission) -> None:
    """Resolve, correlate and notify, in a savepoint, so that a step failing keeps the signal
    and the other steps (``_run_all``).

    Inside the signal's transaction (PostgreSQL) each step reads and writes in the savepoint.
    Otherwise (SQLite) every step first reads outside any transaction — resolution's
    candidates and scores, the value matches of correlation, the port's triage team — and then
    one transaction writes what they found: one turn of the write lock, held only for the
    writing.
    """
    signal = submission.signal
    steps = _steps(submission)
    if connection.in_atomic_block:
        _run_all(submission, [(step.name, lambda step=step: step.write(step.read()))
                              for step in steps])
        return
    found: dict[str, Any] = {}
    for step in steps:
        try:
            found[step.name] = step.read()
        except Exception:
            log.exception("The %s step of signal %s failed", step.name, signal.reference)
            submission.warnings.append(step.name)
    try:
        with transaction.atomic():
            _run_all(submission, [(step.name, lambda step=step: step.write(found[step.name]))
                                  for step in steps if step.name in found])
    except Exception:  # the commit itself failed: the signal stands, the rest is missed
        log.exception("Resolution, correlation and notification of signal %s failed",
                      signal.reference)
        submission.warnings += [step.name for step in steps
                                if step.name not in submission.warnings]


def _run_all(submission: Submission, works: list[tuple[str, Callable[[], Any]]]) -> None:
    """The steps in one savepoint; should one fail, each again in a savepoint of its own, so
    that the others still count. Two statements per step less for every signal (PostgreSQL
    sends each ``SAVEPOINT`` and ``RELEASE`` to the server) where nothing fails."""
    try:
        with transaction.atomic():
            outcomes = [(name, work()) for name, work in works]
    except Exception:  # rolled back to the savepoint, hooks registered in it dropped
        for name, work in works:
            _run(submission, name, work)
        return
    for name, outcome in outcomes:
        _note(submission, name, outcome)


def _run(submission: Submission, name: str, work: Callable[[], Any]) -> None:
    """One step in a savepoint; its outcome noted on the submission, its failure logged."""
    signal = submission.signal
    try:
        with transaction.atomic():
            outcome = work()
    except Exception:
        log.exception("The %s step of signal %s failed", name, signal.reference)
        submission.warnings.append(name)
        return
    _note(submission, name, outcome)


def _note(submission: Submission, name: str, outcome: Any) -> None:
    signal = submission.signal
    if name == "correlation":
        submission.correlations = outcome
        if outcome:
            signal.correlated = True  # set in the database by ``correlate``
    elif name == "notification":
        submission.notified = outcome
