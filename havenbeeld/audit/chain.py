"""Hash chaining of audit entries and verification of the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction

from havenbeeld.audit.models import AuditEvent, ChainHead
from havenbeeld.core import hot

GENESIS_HASH = "0" * 64


def entry_digest(event: AuditEvent, previous_hash: str) -> str:
    """SHA-256 over a canonical JSON form of everything the entry says."""
    content = {
        "id": event.pk,
        "occurred_at": event.occurred_at.isoformat(),
        "event_type": event.event_type,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_organisation": event.actor_organisation,
        "ip_address": event.ip_address,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "details": event.details,
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(event: AuditEvent) -> AuditEvent:
    """Save ``event`` as the new head of the chain. Runs inside the caller's transaction (no
    savepoint of its own: an entry that fails to be written fails the caller's work too)."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            return _append_postgresql(event)
        previous = _locked_head()
        event.previous_hash = previous
        # The hash covers the primary key, so the row is written first with a unique
        # provisional hash and completed in the same transaction.
        event.entry_hash = hashlib.sha256(f"pending:{previous}".encode()).hexdigest()
        hot.insert([event])  # as event.save(), without the ORM's compilation
        event.entry_hash = entry_digest(event, previous)
        # Two short statements in SQL: every signal, import and page view that is audited
        # passes here, and the ORM took longer to build them than the database to run them.
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{AuditEvent._meta.db_table}" SET "entry_hash" = %s '  # noqa: S608
                           'WHERE "id" = %s', [event.entry_hash, event.pk])
            cursor.execute(f'UPDATE "{ChainHead._meta.db_table}" SET "last_hash" = %s, '  # noqa: S608
                           '"last_event_id" = %s WHERE "id" = 1', [event.entry_hash, event.pk])
    return event


def _append_postgresql(event: AuditEvent) -> AuditEvent:
    """``append`` in two statements: the head locked and the entry's key drawn from its
    sequence — after the lock, so keys follow the chain — then the entry inserted complete and
    the head moved in one. Every signal appends; four statements (the entry written with a
    provisional hash and updated) cost it more than its resolution's heaviest query."""
    table, head = AuditEvent._meta.db_table, ChainHead._meta.db_table
    with connection.cursor() as cursor:
        # MATERIALIZED: the outer select draws the key from the row the locking scan gave.
        cursor.execute(f'WITH h AS MATERIALIZED (SELECT "last_hash" FROM "{head}" '  # noqa: S608
                       'WHERE "id" = 1 FOR UPDATE) '
                       'SELECT h."last_hash", nextval(pg_get_serial_sequence(%s, %s)) FROM h',
                       [table, AuditEvent._meta.pk.column])
        row = cursor.fetchone()
    if row is None:  # the first entry ever: no head yet
        previous = _locked_head()
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))",
                           [table, AuditEvent._meta.pk.column])
            row = (previous, cursor.fetchone()[0])
    event.previous_hash, event.pk = row
    event.entry_hash = entry_digest(event, event.previous_hash)
    insert, params = hot.insert_statement(event)
    with connection.cursor() as cursor:
        cursor.execute(f'WITH e AS ({insert}) UPDATE "{head}" '  # noqa: S608
                       'SET "last_hash" = %s, "last_event_id" = %s WHERE "id" = 1',
                       [*params, event.entry_hash, event.pk])
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _locked_head() -> str:
    """The hash at the head of the chain, its row locked until the caller's transaction ends
    (PostgreSQL; SQLite's write transaction holds the whole database)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "last_hash" FROM "{ChainHead._meta.db_table}" '  # noqa: S608
                       f'WHERE "id" = 1{lock}')
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    head, _ = ChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH})  # the first entry ever
    return head.last_hash


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; report the first entry that does not fit."""
    previous = GENESIS_HASH
    checked = 0
    last_id = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.previous_hash != previous:
            return VerifyResult(False, checked, event.pk, "previous hash does not match: an "
                                "entry before it was removed, inserted or changed")
        if entry_digest(event, previous) != event.entry_hash:
            return VerifyResult(False, checked, event.pk, "content does not match its hash")
        previous = event.entry_hash
        last_id = event.pk
        checked += 1
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and head.last_event_id != last_id:
        return VerifyResult(False, checked, head.last_event_id,
                            "the latest entries were removed")
    return VerifyResult(True, checked)
