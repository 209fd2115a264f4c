"""The planner statistics the platform keeps (``havenbeeld analyze``, after bulk work)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

import pytest

from havenbeeld.core import database


def _statistics_rows() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'registry_object'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'registry_object'")
        return cursor.fetchone()[0]


def _forget_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")


@pytest.mark.django_db(transaction=True)
def test_analyze_command_gives_the_planner_statistics() -> None:
    from havenbeeld.registry.models import RegistryObject

    RegistryObject.objects.bulk_create([RegistryObject(kind="company") for _ in range(30)])
    _forget_statistics()
    out = io.StringIO()
    call_command("analyze", stdout=out)
    assert "Statistics refreshed" in out.getvalue()
    assert _statistics_rows() > 0


@pytest.mark.django_db(transaction=True)
def test_bulk_work_refreshes_statistics_only_when_large(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(database, "refresh_statistics", lambda using="default": calls.append(1))
    database.after_bulk_work(database.BULK_ROWS - 1)
    assert calls == []
    database.after_bulk_work(database.BULK_ROWS)
    assert calls == [1]


@pytest.mark.django_db(transaction=True)
def test_bulk_work_on_a_large_table_refreshes_statistics_only_when_it_grows_it_much(
        monkeypatch) -> None:
    """An import of a few per cent more objects keeps the statistics (the daily run refreshes
    them); one that grows the table by a tenth or more, or into a table never analysed,
    refreshes them at once."""
    from havenbeeld.registry.models import RegistryObject

    table = RegistryObject._meta.db_table
    monkeypatch.setattr(database, "BULK_ROWS", 10)
    _forget_statistics()
    RegistryObject.objects.bulk_create([RegistryObject(kind="company") for _ in range(200)])
    if connection.vendor == "sqlite":
        assert database.rows_at_last_statistics(table) == 0
    calls = []
    real = database.refresh_statistics
    monkeypatch.setattr(database, "refresh_statistics",
                        lambda using="default": calls.append(real(using)))
    database.after_bulk_work(200, table=table)  # into a table never analysed (SQLite)
    assert len(calls) == 1
    assert database.rows_at_last_statistics(table) == 200
    database.after_bulk_work(19, table=table)  # under a tenth of 200
    assert len(calls) == 1
    database.after_bulk_work(20, table=table)
    assert len(calls) == 2
    database.after_bulk_work(19)  # no table named: the number of rows alone
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_a_failed_refresh_does_not_fail_the_bulk_work(monkeypatch, caplog) -> None:
    def broken(using: str = "default") -> float:
        raise RuntimeError("disk full")

    monkeypatch.setattr(database, "refresh_statistics", broken)
    database.after_bulk_work(database.BULK_ROWS)  # no exception
    assert "Refreshing the planner statistics failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_refresh_also_vacuums_so_index_only_scans_skip_the_table() -> None:
    """Outside a transaction the refresh is VACUUM (ANALYZE): the table's pages are marked
    visible to all (what an index-only scan checks instead of reading the row); inside one,
    where VACUUM cannot run, it is a plain ANALYZE and does not fail."""
    from django.db import transaction

    from havenbeeld.registry.models import RegistryObject

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps no visibility map")
    RegistryObject.objects.bulk_create([RegistryObject(kind="company") for _ in range(300)])

    def all_visible_pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = %s",
                           [RegistryObject._meta.db_table])
            return cursor.fetchone()[0]

    with transaction.atomic():
        database.refresh_statistics()
    assert all_visible_pages() == 0
    database.refresh_statistics()
    assert all_visible_pages() > 0
    assert _statistics_rows() > 0


def test_psycopg_keeps_the_conversion_of_statements_with_many_parameters() -> None:
    """A multi-row insert (five pieces: 120 parameters) is converted once and then taken from
    psycopg's cache — its default limit (50 parameters) left every such insert to be
    converted again. Fails when a psycopg release drops the limits this relies on."""
    from psycopg import _queries
    from psycopg.adapt import Transformer

    assert database.cache_statement_conversions()
    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= database.STATEMENT_CACHE_PARAMS
    row = "(" + ", ".join(["%s"] * 24) + ")"
    sql = f"SELECT 1 FROM (VALUES {', '.join([row] * 5)}) AS v"  # noqa: S608
    before = _queries._query2pg.cache_info()
    for _ in range(3):
        query = _queries.PostgresQuery(Transformer())
        query.convert(sql, list(range(120)))
        assert query.query.count(b"$") == 120
    after = _queries._query2pg.cache_info()
    assert after.misses - before.misses <= 1 and after.hits - before.hits >= 2
    assert database.cache_statement_conversions()  # a second call changes nothing


@pytest.mark.django_db(transaction=True)
def test_a_write_without_waiting_is_all_or_nothing_and_leaves_the_connection_usable() -> None:
    from havenbeeld.registry.models import RegistryObject

    objects = RegistryObject.objects.bulk_create(
        [RegistryObject(kind="company") for _ in range(3)])
    ids = ", ".join(str(o.pk) for o in objects)
    table = RegistryObject._meta.db_table
    database.write_without_waiting(f'UPDATE "{table}" SET "kind" = \'vessel\' '  # noqa: S608
                                   f'WHERE "id" IN ({ids})')
    assert set(RegistryObject.objects.values_list("kind", flat=True)) == {"vessel"}
    with pytest.raises(DatabaseError):  # the first row is written, the second breaks a rule
        database.write_without_waiting(
            f'UPDATE "{table}" SET "kind" = CASE WHEN "id" = {objects[0].pk} '  # noqa: S608
            "THEN 'person' ELSE NULL END")
    assert set(RegistryObject.objects.values_list("kind", flat=True)) == {"vessel"}
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:  # still usable, in autocommit
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    with transaction.atomic():  # inside a transaction: a savepoint of it
        database.write_without_waiting(f'UPDATE "{table}" SET "kind" = \'person\'')  # noqa: S608
    assert set(RegistryObject.objects.values_list("kind", flat=True)) == {"person"}
