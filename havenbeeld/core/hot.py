"""Reads on the hot path, written as SQL instead of built by the ORM.

Building and compiling a queryset costs 0.15–0.3 ms of Python per statement on these machines,
and an indexed read takes SQLite or PostgreSQL a tenth of that: a signal's intake ran some
twenty-five reads and spent most of its CPU building them, which capped the signals two cores
take in per second. The reads that run for every signal are written as SQL here and in the
modules that use these helpers — short statements on indexed columns that both databases
understand alike (``%s`` placeholders, double-quoted names, ``LIMIT``) — and everything else
stays with the ORM.

``insert`` writes new instances of one model the way ``bulk_create`` does — one statement,
primary keys returned — without compiling every value through the ORM's insert machinery,
which for the ~400 values a signal writes cost more than the database's work.

What comes back is what the ORM gives: ``instances`` builds model instances from every concrete
column, each value passed through the same converters the ORM applies (SQLite's dates and
times come back as text, booleans as integers, JSON as text), and ``rows`` applies them to the
columns named by ``fields``. The tests of the callers run on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin

_Converters = list[tuple[int, list[Callable], Any]]
_CONVERTERS: dict[tuple[str, str, tuple[str, ...]], _Converters] = {}


def marks(count: int) -> str:
    """``%s, %s, …``: the placeholders of an ``IN (…)`` list of ``count`` values."""
    if count < 1:
        raise ValueError("an IN list needs at least one value")
    return ", ".join(["%s"] * count)


def columns(model: type[Model], alias: str = "") -> str:
    """Every concrete column of ``model``, quoted, in field order (as ``instances`` reads)."""
    prefix = f'"{alias}".' if alias else ""
    return ", ".join(f'{prefix}"{f.column}"' for f in model._meta.concrete_fields)


def value(model: type[Model], field: str, given: Any, using: str = DEFAULT_DB_ALIAS) -> Any:
    """``given`` as the database takes it for ``model.field`` (a date or time as SQLite stores
    it, for one) — for a parameter compared with that column."""
    return model._meta.get_field(field).get_db_prep_value(given, connections[using],
                                                          prepared=False)


def _converters(model: type[Model], fields: Sequence[Field], using: str) -> _Converters:
    key = (using, model._meta.label, tuple(f.attname for f in fields))
    found = _CONVERTERS.get(key)
    if found is None:
        connection = connections[using]
        found = []
        for position, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            convert = (connection.ops.get_db_converters(column)
                       + column.get_db_converters(connection))
            if convert:
                found.append((position, convert, column))
        _CONVERTERS[key] = found
    return found


def _convert(raw: Sequence[tuple], converters: _Converters, using: str) -> list[tuple]:
    if not converters:
        return [tuple(row) for row in raw]
    connection = connections[using]
    out = []
    for row in raw:
        values = list(row)
        for position, convert, column in converters:
            value = values[position]
            for converter in convert:
                value = converter(value, column, connection)
            values[position] = value
        out.append(tuple(values))
    return out


def rows(sql: str, params: Sequence[Any] = (), *, model: type[Model] | None = None,
         fields: Sequence[str] = (), using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """The rows of ``sql``. When its columns are fields of ``model`` (``fields``: their names,
    in the order selected), their values are converted as the ORM would."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, list(params))
        raw = cursor.fetchall()
    if model is None or not fields:
        return [tuple(row) for row in raw]
    chosen = [model._meta.get_field(name) for name in fields]
    return _convert(raw, _converters(model, chosen, using), using)


def instances(model: type[Model], where: str, params: Sequence[Any] = (), *,
              limit: int | None = None, order_by: str = "",
              using: str = DEFAULT_DB_ALIAS) -> list[Model]:
    """Instances of ``model`` from its table's rows that meet ``where`` (SQL, ``%s``
    placeholders), complete as the ORM loads them."""
    meta = model._meta
    sql = f'SELECT {columns(model)} FROM "{meta.db_table}" WHERE {where}'  # noqa: S608
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    fields = list(meta.concrete_fields)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, list(params))
        raw = cursor.fetchall()
    names = [f.attname for f in fields]
    return [model.from_db(using, names, values)
            for values in _convert(raw, _converters(model, fields, using), using)]


def joined(models: Sequence[tuple[type[Model], str]], joins: str, where: str,
           params: Sequence[Any] = (), *, order_by: str = "", limit: int | None = None,
           using: str = DEFAULT_DB_ALIAS) -> list[tuple[Model, ...]]:
    """Instances of several models from one statement: each row gives one instance of every
    model in ``models`` (model, alias), each complete as ``instances`` makes it. ``joins`` is
    the FROM clause naming those aliases, ``where`` the condition — what ``select_related``
    reads, without building the query."""
    select = ", ".join(columns(model, alias) for model, alias in models)
    sql = f"SELECT {select} FROM {joins} WHERE {where}"  # noqa: S608
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, list(params))
        raw = cursor.fetchall()
    parts = []
    start = 0
    for model, _alias in models:
        fields = list(model._meta.concrete_fields)
        parts.append((model, start, start + len(fields), [f.attname for f in fields],
                      _converters(model, fields, using)))
        start += len(fields)
    found = []
    for row in raw:
        found.append(tuple(
            model.from_db(using, names, _convert([row[begin:end]], converters, using)[0])
            for model, begin, end, names, converters in parts))
    return found


def instance(model: type[Model], where: str, params: Sequence[Any] = (),
             using: str = DEFAULT_DB_ALIAS) -> Model | None:
    """The first (any) instance meeting ``where``, or None — for a unique column."""
    found = instances(model, where, params, limit=1, using=using)
    return found[0] if found else None


# Fields whose Python value is what the database stores when it is a plain str, int, float or
# bool (or None): their ``get_db_prep_save`` returns such a value unchanged. Every other field
# (dates, times, JSON, decimals, …) and every other value goes through ``get_db_prep_save``.
_PLAIN_TYPES = frozenset({
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField", "FloatField",
    "ForeignKey", "OneToOneField", "AutoField", "BigAutoField", "SmallAutoField"})
_PLAIN_VALUES = (str, int, float, bool)
INSERT_ROWS = 500  # rows per statement (SQLite allows 32,766 parameters)


def _plain(field: Field) -> bool:
    target = field.target_field if field.is_relation else field
    return (field.get_internal_type() in _PLAIN_TYPES
            and target.get_internal_type() in _PLAIN_TYPES)


def insert(objs: Sequence[Model], batch_size: int = INSERT_ROWS,
           using: str = DEFAULT_DB_ALIAS, *, ignore_conflicts: bool = False
           ) -> Sequence[Model]:
    """Insert new instances of one model, as ``bulk_create`` does: every concrete column, each
    value as the field prepares it for the database (``pre_save`` first, so defaults and
    ``auto_now`` apply), the generated primary keys set on the instances. Falls back to
    ``bulk_create`` where the database cannot return the keys of a multi-row insert. At most
    ``batch_size`` rows go in one statement.

    ``ignore_conflicts``: as ``bulk_create``'s — a row that would break a unique constraint
    is left out without an error (``ON CONFLICT DO NOTHING``), and no keys are set."""
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    connection = connections[using]
    generated = isinstance(meta.pk, AutoFieldMixin) and objs[0].pk is None
    if generated and not connection.features.can_return_rows_from_bulk_insert:
        return model.objects.using(using).bulk_create(objs, ignore_conflicts=ignore_conflicts)
    returning = generated and not ignore_conflicts
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    fields = [f for f in meta.concrete_fields if not (generated and f.primary_key)]
    plain = [_plain(f) for f in fields]
    columns_sql = ", ".join(f'"{f.column}"' for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch_size = max(1, min(batch_size, 30_000 // max(1, len(fields))))
    for start in range(0, len(objs), batch_size):
        chunk = objs[start:start + batch_size]
        params: list[Any] = []
        for obj in chunk:
            if type(obj) is not model:
                raise TypeError("insert takes instances of one model")
            params += _values(obj, fields, plain, connection)
        sql = (f'INSERT INTO "{meta.db_table}" ({columns_sql}) '  # noqa: S608
               f'VALUES {", ".join([row_sql] * len(chunk))}{conflicts}')
        with connection.cursor() as cursor:
            if returning:
                cursor.execute(f'{sql} RETURNING "{meta.pk.column}"', params)
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
            else:
                cursor.execute(sql, params)
        for obj in chunk:
            obj._state.adding = False
            obj._state.db = using
    return objs


def _values(obj: Model, fields: Sequence[Field], plain: Sequence[bool], connection: Any
            ) -> list[Any]:
    """The values of ``obj``'s ``fields`` as an insert writes them."""
    values = []
    for field, is_plain in zip(fields, plain, strict=True):
        given = field.pre_save(obj, True)
        if not (is_plain and (given is None or type(given) in _PLAIN_VALUES)):
            given = field.get_db_prep_save(given, connection)
        values.append(given)
    return values


def insert_statement(obj: Model, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list[Any]]:
    """The statement (SQL and parameters) that inserts ``obj`` with the primary key it has,
    to run as part of another one (a ``WITH … AS (INSERT …)`` on PostgreSQL). Mark the
    instance saved (``_state.adding``) once that ran."""
    if obj.pk is None:
        raise ValueError("insert_statement needs the primary key set")
    meta = obj._meta
    fields = list(meta.concrete_fields)
    columns_sql = ", ".join(f'"{f.column}"' for f in fields)
    sql = (f'INSERT INTO "{meta.db_table}" ({columns_sql}) '  # noqa: S608
           f'VALUES ({", ".join(["%s"] * len(fields))})')
    return sql, _values(obj, fields, [_plain(f) for f in fields], connections[using])


def insert_values(model: type[Model], fields: Sequence[str], rows: Sequence[tuple],
                  using: str = DEFAULT_DB_ALIAS, *, replace_on: str = "",
                  ignore_conflicts: bool = False) -> None:
    """Insert rows of plain values (str, int, …: as the database stores them) into a table
    whose only other column is a generated primary key — link and index rows (name tokens,
    blocking keys, cluster members), for which building a model instance each cost more than
    writing it.

    ``replace_on``: a unique column; a row whose value there is taken already replaces the
    other columns of the row that has it (``ON CONFLICT … DO UPDATE``). ``ignore_conflicts``:
    a row that would break a unique constraint is left out (``ON CONFLICT DO NOTHING``)."""
    if not rows:
        return
    meta = model._meta
    expected = {f.attname for f in meta.concrete_fields if not isinstance(f, AutoFieldMixin)}
    if set(fields) != expected or len(fields) != len(expected):
        raise ValueError(f"insert_values needs exactly the columns {sorted(expected)}")
    columns_sql = ", ".join(f'"{meta.get_field(name).column}"' for name in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if replace_on:
        key = meta.get_field(replace_on).column
        others = [meta.get_field(name).column for name in fields if name != replace_on]
        conflict = f' ON CONFLICT ("{key}") DO UPDATE SET ' + ", ".join(
            f'"{column}" = excluded."{column}"' for column in others)
    size = max(1, 30_000 // len(fields))
    with connections[using].cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            cursor.execute(f'INSERT INTO "{meta.db_table}" ({columns_sql}) '  # noqa: S608
                           f'VALUES {", ".join([row_sql] * len(chunk))}{conflict}',
                           [value for row in chunk for value in row])
