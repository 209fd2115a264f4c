"""Set-based writing of one import chunk: objects, pieces, name tokens and row records with one
statement per table — ``executemany`` on SQLite, ``COPY`` on PostgreSQL — instead of building
a model instance per row.

It writes exactly the rows ``registry.services.save_pieces`` writes for pieces that
``build_pieces`` built (``tests/test_bulk.py`` imports the same files through both and compares
every column): every column of a piece comes from a template piece built once per chunk with
the mapping's provenance through the model, so a column added to the model later gets its
model default here too; per row only the object, what is said and the idempotency key vary.
Name tokens are one per distinct word of a name's key, as in ``save_pieces``.

Ids are allocated before the rows go in, so pieces can name their objects and tokens their
pieces without a round trip per row: from the table's sequence on PostgreSQL (safe beside other
writers), and on SQLite from the highest id ever given (``sqlite_sequence``) while the chunk's
transaction holds the database's write lock (the project opens SQLite transactions IMMEDIATE).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from django.db import DatabaseError, connection
from django.db.models import Model

from havenbeeld.core.database import without_waiting
from havenbeeld.registry.models import NameToken, Piece, RegistryObject
from havenbeeld.registry.services import NAME_PROPERTIES

VENDORS = ("sqlite", "postgresql")
# SQLite's page cache while an import runs (KiB; the default is 2 MiB). Each piece touches a
# dozen indexes at places far apart; in a registry of millions of pieces a small cache rereads
# their pages for every chunk. Given back when the import ends.
SQLITE_CACHE_KIB = 128 * 1024
NAME_VALUES = frozenset(str(p) for p in NAME_PROPERTIES)


class NewObject:
    """An object a chunk creates; its id is given when the chunk is written."""

    __slots__ = ("pk",)

    def __init__(self) -> None:
        self.pk: int | None = None


# (object: existing id or NewObject, property, scheme, value, value normalised, idempotency key)
PieceRow = tuple[object, str, str, str, str, str]


def supported() -> bool:
    return connection.vendor in VENDORS


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while an import runs.

    A chunk makes a few hundred thousand short-lived tuples, lists, cells and facts, and each
    700 allocations started a collection that walked every young object still alive, the
    chunk's own among them: a fifth of an import's time went into collections that found
    nothing. Reference counting frees what an import makes; what it leaves in cycles is next to
    nothing (9 objects for a CSV file of 20,000 rows, 202 for an XLSX file of as many rows),
    and is collected once the collector resumes. A collector the caller paused stays paused."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def import_session() -> Iterator[None]:
    """Connection settings for the length of an import (SQLite: a larger page cache)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(SQLITE_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class _Template:
    """The columns of a model's table, those set per row (``varying``, in that order) first,
    and the database values of the others from an instance built through the model (defaults
    included); a row is then the row's values followed by those."""

    def __init__(self, instance: Model, varying: Sequence[str], *, with_pk: bool = True
                 ) -> None:
        fields = {f.attname: f for f in instance._meta.concrete_fields
                  if with_pk or not f.primary_key}
        constant = [f for name, f in fields.items() if name not in varying]
        self.table = instance._meta.db_table
        self.columns = [fields[name].column for name in varying] + [f.column for f in constant]
        self.constants = tuple(f.get_db_prep_save(getattr(instance, f.attname), connection)
                               for f in constant)

    def rows(self, values: Iterable[tuple]) -> list[tuple]:
        constants = self.constants
        return [value + constants for value in values]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert(template: _Template, values: list[tuple]) -> None:
    """Insert rows of which ``values`` are the varying columns, in their order.

    PostgreSQL: ``COPY``. SQLite: one ``INSERT … SELECT`` from the rows as one JSON array
    (``json_each``), the constant columns bound once: SQLite inserts them all in one call, in
    which Python's interpreter lock is free for the thread that prepares the next chunk
    (``writes_let_go``), and it was quicker than ``executemany`` by itself (6.4 against 11 µs
    a piece). JSON gives back exactly the text and integers it was given, except a NUL
    character, which SQLite's functions would cut the text at: a chunk with one (a key column
    can hold anything) goes in row by row, as does everything where SQLite lacks JSON."""
    if not values:
        return
    columns = ", ".join(_quote(c) for c in template.columns)
    table = _quote(template.table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in template.rows(values):
                    copy.write_row(row)
            return
        width = len(values[0])
        rows_json = json.dumps(values, ensure_ascii=False) if _sqlite_json() else ""
        if not rows_json or "\\u0000" in rows_json:
            marks = ", ".join(["%s"] * len(template.columns))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, template.rows(values))
            return
        picked = ", ".join([f"json_extract(value, '$[{i}]')" for i in range(width)]
                           + ["%s"] * len(template.constants))
        sql = f"INSERT INTO {table} ({columns}) SELECT {picked} FROM json_each(%s)"  # noqa: S608
        cursor.execute(sql, [*template.constants, rows_json])


def writes_let_go() -> bool:
    """Whether writing a chunk leaves Python's interpreter lock free for another thread most of
    the time: on PostgreSQL (the server works, the client waits), and on SQLite when a table's
    rows go in with one statement (``_insert``). Row by row (``executemany``) SQLite takes the
    lock back after each row's few microseconds, and waits for it behind a busy thread up to
    the switch interval every time: a chunk took thirty times as long to write."""
    return connection.vendor == "postgresql" or (connection.vendor == "sqlite"
                                                 and _sqlite_json())


@cache
def _sqlite_json() -> bool:
    """Whether this SQLite has its JSON functions (built in since 3.38, an extension before)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT json_extract('[1]', '$[0]')")
            return cursor.fetchone()[0] == 1
    except DatabaseError:
        return False


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, to insert explicitly."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)", [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: only while this transaction holds the write lock (BEGIN IMMEDIATE), so no
        # other writer takes these ids; AUTOINCREMENT never gives an id twice, nor do we.
        if not connection.in_atomic_block:
            raise RuntimeError("allocate_ids runs inside the writing transaction")
        cursor.execute(f"SELECT max({_quote(column)}) FROM {_quote(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row and row[0] else 0) + 1
    return list(range(start, start + count))


def write_chunk(*, kind: str, template_piece: Piece, objects: list[NewObject],
                pieces: list[PieceRow], records: list[tuple[str, NewObject]],
                record_model: type[Model], mapping_id: int) -> None:
    """Insert the chunk's new objects, its pieces with their name tokens and its row records.
    ``template_piece`` carries the provenance every piece shares. Runs inside the chunk's
    transaction.

    On PostgreSQL that transaction does not wait for its commit record to reach the disk
    (``synchronous_commit`` off for it alone): a crash may lose the last chunks committed,
    never part of one, and the job's committed-rows mark, written in the same transaction, is
    lost with them, so the import resumes before them. The job's final status is committed
    normally, which makes every chunk before it durable."""
    without_waiting()
    object_template = _Template(RegistryObject(kind=kind), ["id"])
    for obj, pk in zip(objects, allocate_ids(RegistryObject, len(objects)), strict=True):
        obj.pk = pk
    _insert(object_template, [(obj.pk,) for obj in objects])

    varying = ["id", "object_id", "property", "scheme", "value", "value_normalised",
               "idempotency_key"]
    piece_template = _Template(template_piece, varying)
    ids = allocate_ids(Piece, len(pieces))
    values = []
    tokens = []
    for pk, (obj, prop, scheme, shown, normalised, key) in zip(ids, pieces, strict=True):
        object_id = obj if isinstance(obj, int) else obj.pk
        values.append((pk, object_id, prop, scheme, shown, normalised, key))
        if prop in NAME_VALUES:
            tokens += [(word[:64], pk, object_id) for word in set(normalised.split())]
    _insert(piece_template, values)
    token_template = _Template(NameToken(token="", piece_id=0, object_id=0),
                               ["token", "piece_id", "object_id"], with_pk=False)
    _insert(token_template, tokens)

    record_template = _Template(record_model(mapping_id=mapping_id, row_key="", object_id=0),
                                ["row_key", "object_id"], with_pk=False)
    _insert(record_template, [(key, obj.pk) for key, obj in records])
