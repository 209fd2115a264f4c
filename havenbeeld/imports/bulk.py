"""Set-based writing of one import chunk: objects, pieces, name tokens and row records with one
statement per table (or a few) — multi-row ``INSERT`` on SQLite, ``COPY`` on PostgreSQL —
instead of building a model instance per row.

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

import datetime as dt
import gc
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain

from django.db import connection
from django.db.models import Model

from havenbeeld.core.database import without_waiting
from havenbeeld.registry.models import NameToken, Piece, RegistryObject
from havenbeeld.registry.services import NAME_PROPERTIES

VENDORS = ("sqlite", "postgresql")
# SQLite's page cache while an import runs (KiB; the default is 2 MiB). Each piece touches a
# dozen indexes at places far apart; in a registry of millions of pieces a small cache rereads
# their pages for every chunk. Given back when the import ends.
SQLITE_CACHE_KIB = 128 * 1024
# Rows per SQLite INSERT statement of an import (``_sqlite_insert``; a power of two).
SQLITE_BATCH_ROWS = 4096
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
    """Insert rows of which ``values`` are the varying columns, in their order: ``COPY`` on
    PostgreSQL, ``_sqlite_insert`` on SQLite."""
    if not values:
        return
    if connection.vendor != "postgresql":
        _sqlite_insert(template, values)
        return
    columns = ", ".join(_quote(c) for c in template.columns)
    suffix = _copy_suffix(template.constants)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {_quote(template.table)} ({columns}) FROM STDIN") as copy:
        if suffix is None:  # a constant of a type the text form below does not write
            for row in template.rows(values):
                copy.write_row(row)
            return
        for start in range(0, len(values), COPY_ROWS_PER_WRITE):
            copy.write(_copy_lines(values[start:start + COPY_ROWS_PER_WRITE], suffix))


# COPY's text format: a backslash, tab, newline and carriage return in a value are escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Rows written to a COPY at a time: the server works on one part while the next is made.
COPY_ROWS_PER_WRITE = 2000


def _copy_field(value: object) -> str:
    """A value in COPY's text format, for the types of the varying columns and the constants:
    text, integers, booleans, NULL, moments and dates (ISO 8601, their offset included).
    Anything else raises ``TypeError`` (``_copy_suffix`` then leaves the rows to psycopg)."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)
    if kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind in (dt.datetime, dt.date):
        return value.isoformat()
    if isinstance(value, str):  # a choice's enum member: its value
        return str.translate(value, _COPY_ESCAPES)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    raise TypeError(kind)


def _copy_suffix(constants: tuple) -> str | None:
    """The constant columns of every row as the end of a COPY text line, or None where one of
    them is of a type ``_copy_field`` does not write."""
    try:
        return "".join("\t" + _copy_field(value) for value in constants) + "\n"
    except TypeError:
        return None


def _copy_lines(values: list[tuple], suffix: str) -> str:
    """Rows as COPY text: each row's varying values, then the constants (``suffix``). Made
    as one string in a few C-level calls per row instead of psycopg adapting every field of
    every row (the constants included): a third of the client's time for a chunk's pieces.

    Where every varying value is text or an integer (``_plain``, what an import's rows hold)
    and none holds a character COPY escapes, a row is its values joined as they are: the
    text is made so, and then the escaped characters in it are counted — exactly those of the
    separators and the constants means no value held one. Otherwise each value is escaped on
    its own (``_copy_field``), which took a sixth of the main thread of a PostgreSQL import."""
    if _plain(values):
        text = suffix.join(["\t".join(map(str, row)) for row in values]) + suffix
        rows, width = len(values), len(values[0])
        if (text.count("\t") == rows * (width - 1 + suffix.count("\t"))
                and all(text.count(c) == rows * suffix.count(c) for c in "\n\r\\")):
            return text
    field = _copy_field
    return "".join(["\t".join([field(value) for value in row]) + suffix for row in values])


def _plain(values: list[tuple]) -> bool:
    """Whether every value is a ``str`` or an ``int`` (not a subclass: a choice's enum
    member, a boolean), whose ``str`` is then its COPY text but for escapes."""
    return set(map(type, chain.from_iterable(values))) <= {str, int}


def _sqlite_insert(template: _Template, values: list[tuple]) -> None:
    """SQLite: ``INSERT … SELECT`` from a ``VALUES`` list of many rows, the constant columns
    bound once per statement. SQLite runs each statement in one call, in which Python's
    interpreter lock is free for the thread that prepares the next chunk (``writes_let_go``).
    Bound values go in exactly as given (a NUL character included), as with ``executemany``.

    A statement has ``SQLITE_BATCH_ROWS`` rows (fewer where SQLite binds fewer variables), or,
    for the last rows of a table, the least power of two that holds them, the rest padded
    and cut off by ``LIMIT``: a statement text for each size, few in all, which the sqlite3
    module keeps compiled (parsing a statement of many rows costs about as much as inserting
    them). Padding is zeros: an integer binds quickly, ``None`` goes through the driver's
    adaptation (ten times the instructions). Statements run on the driver's connection, past
    Django's cursor, whose rewriting of ``%s`` to ``?`` took as long as SQLite's parsing;
    database errors are Django's as always.

    Writing the rows of 10,000 company rows so took SQLite 0.8 times the instructions of the
    rows as one JSON array read with ``json_each`` (this function before), which took 0.6
    times those of ``executemany`` (valgrind's instruction counts)."""
    width = len(values[0])
    constants = template.constants
    largest = _sqlite_batch_rows(width, len(constants))
    with connection.wrap_database_errors:
        for start in range(0, len(values), largest):
            part = values[start:start + largest]
            rows = min(largest, 1 << (len(part) - 1).bit_length())
            sql = _sqlite_insert_sql(template.table, tuple(template.columns), width,
                                     len(constants), rows)
            parameters = [*constants, *chain.from_iterable(part)]
            parameters += [0] * (width * (rows - len(part)))
            parameters.append(len(part))
            connection.connection.execute(sql, parameters)


def _sqlite_batch_rows(width: int, constants: int) -> int:
    """Rows per statement of ``_sqlite_insert``: ``SQLITE_BATCH_ROWS``, or the largest power
    of two of rows whose ``width`` parameters each, with the ``constants`` and the limit, fit
    SQLite's limit on variables (32,766 by default since SQLite 3.32, 999 before)."""
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    fits = max(1, (limit - constants - 1) // width)
    return min(SQLITE_BATCH_ROWS, 1 << (fits.bit_length() - 1))


@lru_cache(maxsize=128)
def _sqlite_insert_sql(table: str, columns: tuple[str, ...], width: int, constants: int,
                       rows: int) -> str:
    picked = ", ".join([f"column{i + 1}" for i in range(width)] + ["?"] * constants)
    row = f"({', '.join(['?'] * width)})"
    return (f"INSERT INTO {_quote(table)} ({', '.join(_quote(c) for c in columns)}) "  # noqa: S608
            f"SELECT {picked} FROM (VALUES {', '.join([row] * rows)}) LIMIT ?")


def writes_let_go() -> bool:
    """Whether writing a chunk leaves Python's interpreter lock free for another thread most of
    the time: on PostgreSQL (the server works, the client waits), and on SQLite, where a
    table's rows go in with one statement or a few (``_insert``). Row by row
    (``executemany``) SQLite took the lock back after each row's few microseconds, and waited
    for it behind a busy thread up to the switch interval every time: a chunk took thirty
    times as long to write."""
    return connection.vendor in VENDORS


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, to insert explicitly."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once: in the select list ``pg_get_serial_sequence``
            # (a catalog look-up, not foldable) ran once per id, nine tenths of the time.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)::regclass::oid",
                           [table, column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)",
                           [sequence, count])
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


def assign_ids(objects: list[NewObject]) -> None:
    """Give the new objects that have none their ids (see ``allocate_ids``): inside the
    chunk's transaction on SQLite, or before it on PostgreSQL, where the chunk after may name
    them while this one is still being written (``services._SideWriter``)."""
    missing = [obj for obj in objects if isinstance(obj, NewObject) and obj.pk is None]
    for obj, pk in zip(missing, allocate_ids(RegistryObject, len(missing)), strict=True):
        obj.pk = pk


def recorded_objects(record_model: type[Model], mapping_id: int, keys: Collection[str]
                     ) -> dict[str, int]:
    """The objects of the row keys ``keys`` that ``mapping_id`` recorded before (row key →
    object id), in one query (SQLite: one per ``SQLITE_BATCH_ROWS`` keys). The ORM took a
    tenth of a chunk's time in the main thread preparing each key of the ``IN`` list."""
    if not keys:
        return {}
    table = _quote(record_model._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT row_key, object_id FROM {table} "  # noqa: S608
                           "WHERE mapping_id = %s AND row_key = ANY(%s)",
                           [mapping_id, list(keys)])
            return dict(cursor.fetchall())
    keys = list(keys)
    largest = _sqlite_batch_rows(1, 1)
    found: dict[str, int] = {}
    with connection.wrap_database_errors:
        for start in range(0, len(keys), largest):
            part = keys[start:start + largest]
            size = min(largest, 1 << (len(part) - 1).bit_length())
            # Padded with its first key (the same answer) to a power of two: few texts.
            sql = (f"SELECT row_key, object_id FROM {table} "  # noqa: S608
                   f"WHERE mapping_id = ? AND row_key IN ({', '.join(['?'] * size)})")
            found.update(connection.connection.execute(
                sql, [mapping_id, *part, *[part[0]] * (size - len(part))]))
    return found


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
    assign_ids(objects)
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
