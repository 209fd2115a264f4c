"""The database's own upkeep: the query planner's statistics; commits that need not wait.

Without statistics SQLite's planner guesses, and at registry scale it guesses wrong: it reads a
pairs table through its status index instead of the object id, or a piece table through a
low-selectivity column — a signal's intake went from ~45 ms to over 300 ms at 1,000,000
objects. PostgreSQL's autovacuum keeps its statistics where it is on; SQLite has nothing
that does.

On PostgreSQL the refresh is ``VACUUM (ANALYZE)`` (a plain ANALYZE inside a transaction, where
VACUUM cannot run): besides the statistics it marks the pages whose rows every transaction
sees, so that an index-only scan need not read the table. Without it — a server with
autovacuum off, or before autovacuum's turn after a large import — reading a blocking key's
candidates fetched every row from the table, and a signal's intake at 1,000,000 objects took
p50 28 ms instead of 23 (``bench/signals_bench.py``; 77 signals/s sustained instead of 87).
Where autovacuum is on, the VACUUM finds little left to do.

``refresh_statistics`` runs a full ANALYZE: about 6 s for a 1.4 GB SQLite database of
1,000,000 objects. SQLite's sampled ANALYZE (``PRAGMA analysis_limit``) is quicker but, on the
SQLite these machines have, reads a column with three values as if it had a thousand (it saw
only one kind in its sample) — statistics that mislead more than none. It runs daily
(``havenbeeld analyze``, by cron beside ``havenbeeld retention``) and when bulk work of at
least ``BULK_ROWS`` rows finishes: a large import, a resolution run, the demo world. Bulk work
that names the table it grows (an import: the objects) refreshes them only when it adds at
least ``GROWTH`` of the rows that table had when they were last taken, as PostgreSQL's
autovacuum does (``autovacuum_analyze_scale_factor``): a few per cent more rows hardly change
what the planner knows, and at 10,000,000 pieces the ANALYZE of SQLite took 15 s, holding the
write lock every signal's intake waits for — after every import of 10,000 rows.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

log = logging.getLogger(__name__)

# Bulk work that writes at least this many rows refreshes the statistics when it finishes ...
BULK_ROWS = 10_000
# ... and, where it names the table it grows, at least this share of that table's rows when
# the statistics were last taken (``after_bulk_work``).
GROWTH = 0.1


def refresh_statistics(using: str = DEFAULT_DB_ALIAS) -> float:
    """ANALYZE the database (PostgreSQL: VACUUM and ANALYZE, outside a transaction); returns
    the seconds it took."""
    connection = connections[using]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")  # every row: see the module docstring
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL
            return 0.0
    seconds = time.perf_counter() - started
    log.info("Planner statistics refreshed in %.1f s", seconds)
    return seconds


def after_bulk_work(rows: int, using: str = DEFAULT_DB_ALIAS, *, table: str = "") -> None:
    """Refresh the statistics after bulk work of ``rows`` rows, if that is many — and, where
    the work names the ``table`` it added them to, many beside the rows that table had when
    the statistics were last taken (``GROWTH``; see the module docstring). Statistics help,
    but failing to refresh them must not fail the work."""
    if rows < BULK_ROWS:
        return
    try:
        if table:
            known = rows_at_last_statistics(table, using)
            if rows < GROWTH * known:
                log.info("Statistics kept: %d rows beside %d in %s", rows, known, table)
                return
        refresh_statistics(using)
    except Exception:
        log.exception("Refreshing the planner statistics failed")


def rows_at_last_statistics(table: str, using: str = DEFAULT_DB_ALIAS) -> int:
    """The rows ``table`` had when its statistics were last taken; 0 where they never were
    (SQLite: ``sqlite_stat1``, PostgreSQL: ``pg_class.reltuples``)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            # Each of the table's rows there starts with the table's row count.
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
            row = cursor.fetchone()
            return int(row[0].split()[0]) if row and row[0] else 0
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
                           [table])
            row = cursor.fetchone()
            return max(0, int(row[0])) if row else 0  # -1: never analysed
    return 0  # pragma: no cover - the platform runs on SQLite and PostgreSQL


@contextmanager
def commit_without_waiting(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction whose commit does not wait for the disk, for writes that may be lost in a
    crash but never half done (a mark that an e-mail went out: lost, the mail goes twice).
    PostgreSQL: ``synchronous_commit`` off for this transaction alone — each synchronous
    commit waits for the write-ahead log to reach the disk, 1–3 ms on these machines. SQLite
    in WAL mode with ``synchronous=NORMAL`` never waits at a commit."""
    with transaction.atomic(using=using):
        without_waiting(using)
        yield


def write_without_waiting(sql: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run one writing statement, ``sql``, in a transaction of its own whose commit does not
    wait for the disk (``commit_without_waiting``). ``sql`` holds its values as literals —
    integers the caller formatted, never text from outside — and takes no parameters: on
    PostgreSQL, outside a transaction, the transaction, its setting and the statement then go
    to the server as one query, one round trip instead of four (``BEGIN``, ``SET LOCAL``, the
    statement, ``COMMIT``: a signal's mark that its mail went out sent all four)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with commit_without_waiting(using), connection.cursor() as cursor:
            cursor.execute(sql)
        return
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"BEGIN; SET LOCAL synchronous_commit TO OFF; {sql}; COMMIT")
        except Exception:
            # The server stopped at the failing statement, inside the transaction it began.
            with contextlib.suppress(DatabaseError):
                cursor.execute("ROLLBACK")
            raise


def without_waiting(using: str = DEFAULT_DB_ALIAS) -> None:
    """Let the current transaction commit without waiting for the disk (see
    ``commit_without_waiting``), when the caller opened that transaction itself."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("without_waiting runs inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# psycopg converts a statement's ``%s`` placeholders into PostgreSQL's ``$1`` form and caches
# the result per statement text — only for statements of at most 50 parameters and 4 KB, in a
# cache of 128 texts. The platform's multi-row inserts have more (five pieces are 120
# parameters; a signal's correlations often more) and converting one again took 0.17 ms:
# about 1 ms of each signal's intake. These limits let such statements be cached too; the
# texts of a running platform are a few hundred at most, each a few KB converted.
STATEMENT_CACHE = 1024
STATEMENT_CACHE_PARAMS = 5_000
STATEMENT_CACHE_BYTES = 64 * 1024


def cache_statement_conversions() -> bool:
    """Widen psycopg's cache of converted statements (see above). Its limits are module
    attributes of psycopg's (``psycopg._queries``), not a documented setting: where a release
    has none by these names nothing changes, and False says so (a test notices)."""
    try:
        from psycopg import _queries
    except ImportError:  # no PostgreSQL driver: nothing to tune
        return False
    names = ("MAX_CACHED_STATEMENT_PARAMS", "MAX_CACHED_STATEMENT_LENGTH", "_query2pg",
             "_query2pg_nocache")
    if not all(hasattr(_queries, name) for name in names):
        return False
    if getattr(_queries._query2pg, "cache_info", None) and (
            _queries._query2pg.cache_info().maxsize or 0) >= STATEMENT_CACHE:
        return True  # done already
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS,
                                               STATEMENT_CACHE_PARAMS)
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH,
                                               STATEMENT_CACHE_BYTES)
    _queries._query2pg = functools.lru_cache(maxsize=STATEMENT_CACHE)(
        _queries._query2pg_nocache)
    return True
