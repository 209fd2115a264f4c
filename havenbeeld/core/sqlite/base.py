"""Django's SQLite backend with writers queued in the kernel instead of polling SQLite.

SQLite lets one transaction write at a time. A second writer's ``BEGIN IMMEDIATE`` fails with
"database is locked", and the busy handler of Python's ``sqlite3`` module (its ``timeout``)
retries after sleeping 1, 2, 5, 10, 15, 20, 25… ms. A signal's write transactions take a few
milliseconds, so two processes taking in signals side by side spent most of their time asleep:
the second worker added 6 % throughput instead of nearly 100 % (``bench/signals_bench.py``,
one worker 50.9 signals/s, two 54.1).

Here a writer first takes an exclusive lock on a file beside the database — ``flock``, which
puts it to sleep in the kernel and wakes it the moment the holder lets go — and only then
begins its transaction; the lock is let go at commit or rollback. Threads of one process queue
on a ``threading.Lock`` before that, so one descriptor per process serves them all. The kernel
releases the file lock of a process that dies, so a crash never leaves writers waiting.

A write outside a transaction (an autocommit ``INSERT``, ``UPDATE``, ``DELETE``) takes the
lock for its one statement. A writer of another process waits as long as the transaction before
it takes, as writers of one row wait for each other on PostgreSQL, where SQLite's busy timeout
gave up after ``timeout`` seconds with "database is locked"; the platform's long writers (an
import, a resolution run) commit in chunks of a fraction of a second.

What is not queued keeps SQLite's own locking and busy timeout, unchanged: in-memory
databases (tests), a thread that already holds the lock through another connection, and — so
that nothing can wait forever — a thread that does not get the process's lock within the busy
timeout (one thread holding a transaction open while it waits for another thread of the same
process, as a test with a live server can) proceeds without it, as before this backend.

Checkpoints run beside the writers, not inside them. In WAL mode SQLite copies the log back
into the database file every 1,000 pages, in the commit that crosses that mark, with an
``fsync`` of both files — while that writer holds the lock every other writer waits for. Here
a connection to a database file in WAL mode turns that off (``wal_autocheckpoint = 0``) and
each commit wakes a thread of the process (``_Checkpointer``, one per database file) that runs
``PRAGMA wal_checkpoint(PASSIVE)`` on a connection of its own, at most once per
``CHECKPOINT_INTERVAL``: a passive checkpoint takes no writer's lock and waits for nobody, so
writers go on while it copies. The log is still copied back and restarted as before, only
not by a writer: one signal's write transactions held the lock 22 % shorter
(``bench/signals_bench.py``). A process that ends leaves what it wrote safely in the log; the
next checkpoint, or SQLite when the last connection closes, copies it back.

A log copied back is started over by the next writer, but only when no reader still reads
from it; under steady load some reader always does — each began while the last commit was not
yet copied back — and the log grew without end (SQLite's "checkpoint starvation": 10 GB in
150 s of ``bench/signals_bench.py``, every read slower as it searched a longer log, two
workers' signals/s falling from 114 to 90). So once the log holds ``RESTART_AFTER_FRAMES``
frames, the checkpointer takes the writer lock — writers of every process wait behind it as
behind any writer — and runs ``wal_checkpoint(RESTART)``: it copies back what is left and
waits, at most ``RESTART_WAIT`` seconds, for the readers still in the log to finish (a reader
that begins meanwhile reads the database file, the log being all copied); a reader that takes
longer defers the next try until the log has doubled. The next writer
then starts the log over, and cuts the file back to ``WAL_SIZE_LIMIT`` bytes
(``journal_size_limit`` of every connection).
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

LOCK_SUFFIX = "-writer.lock"
# Seconds at least between two checkpoints of one process (``_Checkpointer``): the commits of
# that time are copied back together, as SQLite's 1,000 pages gathered several commits.
CHECKPOINT_INTERVAL = 0.2
# Frames (pages) in the log after which a checkpoint makes sure it is started over; at SQLite's
# 4 KiB pages, 64 MiB — SQLite's own checkpoints come every 1,000 pages.
RESTART_AFTER_FRAMES = 16_384
# Seconds a restarting checkpoint waits for the readers still in the log, holding the writer
# lock: readers take milliseconds; one that takes longer (a long report) is not waited for,
# and the next checkpoint tries again.
RESTART_WAIT = 0.25
# Bytes a started-over log file is cut back to.
WAL_SIZE_LIMIT = 64 * 1024 * 1024
log = logging.getLogger(__name__)
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class _WriterLock:
    """One per database file and process: a thread lock, then the file lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.owner: int | None = None  # the thread holding it

    def acquire(self, timeout: float) -> bool:
        if self.owner == threading.get_ident():
            return False  # held through another connection of this thread
        if not self.thread_lock.acquire(timeout=timeout):
            return False
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.thread_lock.release()
            raise
        self.owner = threading.get_ident()
        return True

    def release(self) -> None:
        self.owner = None
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


_locks: dict[str, _WriterLock] = {}
_locks_guard = threading.Lock()


def _of_process(registry: dict, path: str, make: type) -> Any:
    """``registry``'s ``make(path)`` of this process: made once per path, and again in a
    forked child (each kept object records the ``pid`` it was made in)."""
    with _locks_guard:
        found = registry.get(path)
        if found is None or found.pid != os.getpid():
            found = registry[path] = make(path)
        return found


def writer_lock(path: str) -> _WriterLock:
    """The process's writer lock of a lock file (a forked child makes its own)."""
    return _of_process(_locks, path, _WriterLock)


class _Checkpointer:
    """One per database file and process: a daemon thread that checkpoints the log (passive)
    when a commit asks for it (``wake``), at most once per ``CHECKPOINT_INTERVAL``, each time
    on a connection opened for it and closed after. A forked child has no such thread
    (``checkpointer`` makes the child its own)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self.wanted = threading.Event()
        self.done = 0  # checkpoints run, for tests
        self.restarts = 0  # restarting checkpoints that completed
        self.deferred = 0  # restarting checkpoints a reader kept from completing
        # A restart a reader kept from completing is tried again only when the log has doubled
        # (frames): a reader that stays long (a report) would otherwise stop every writer for
        # ``RESTART_WAIT`` at every checkpoint while it reads.
        self.retry_at = 0
        self.frames = 0  # in the log at the last checkpoint
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self.thread.start()

    def wake(self) -> None:
        self.wanted.set()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                self.checkpoint()
            except Exception:  # the lock file (``_restart``): the thread must live on, or
                # no checkpoint would ever run again in this process and the log would grow
                log.warning("Checkpoint of %s failed", self.path, exc_info=True)
            time.sleep(CHECKPOINT_INTERVAL)

    def checkpoint(self) -> None:
        """A passive checkpoint; and when the log has grown to ``RESTART_AFTER_FRAMES``, a
        restarting one under the writer lock (see the module docstring)."""
        try:
            # A connection for each checkpoint, closed after it: one held open would keep
            # the file open after the process's own connections closed, and a program that
            # then needs the database to itself (an exclusive lock, a change of journal
            # mode) would find it locked.
            with _fork_guard, closing(self._connect()) as connection:
                _busy, frames, _copied = connection.execute(
                    "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.done += 1
            if frames < self.frames:  # a writer started the log over since
                self.retry_at = 0
            self.frames = frames
            if frames >= max(RESTART_AFTER_FRAMES, self.retry_at):
                self._restart()
        except sqlite3.OperationalError as exc:  # the next commit asks again
            if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in _BUSY:
                # Another connection holds the database (a bulk load, a backup) or a
                # checkpoint of its own: nothing wrong, nothing to copy back now.
                log.debug("Checkpoint of %s deferred: %s", self.path, exc)
            else:
                log.warning("Checkpoint of %s failed", self.path, exc_info=True)
        except sqlite3.Error:
            log.warning("Checkpoint of %s failed", self.path, exc_info=True)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute(f"PRAGMA journal_size_limit = {int(WAL_SIZE_LIMIT)}")
        return connection

    def _restart(self) -> None:
        # The writer lock first, then the fork guard: a thread that holds the writer lock
        # and forks waits for the guard, never the other way round.
        lock = writer_lock(self.path + LOCK_SUFFIX)
        if not lock.acquire(RESTART_WAIT):  # this process's writers hold it: next time
            return
        try:
            with _fork_guard, closing(self._connect()) as connection:
                connection.execute(f"PRAGMA busy_timeout = {int(RESTART_WAIT * 1000)}")
                busy, frames, _copied = connection.execute(
                    "PRAGMA wal_checkpoint(RESTART)").fetchone()
        finally:
            lock.release()
        if busy:
            self.deferred += 1
            self.retry_at = 2 * frames
            log.debug("Restart of the log of %s deferred until it holds %s frames: a reader "
                      "took longer than %s s", self.path, self.retry_at, RESTART_WAIT)
        else:
            self.restarts += 1
            self.retry_at = 0


# "database is locked" and "database table is locked", of a connection or of a table.
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_checkpointers: dict[str, _Checkpointer] = {}

# A fork while a checkpointer is inside SQLite (opening, checkpointing, closing) would copy
# SQLite's process-wide mutexes into the child locked, with no thread left to unlock them: the
# child's first connection then waits forever (a benchmark's forked worker did). A fork waits
# for the checkpoint in progress; the child gets the guard free.
_fork_guard = threading.Lock()
os.register_at_fork(before=_fork_guard.acquire, after_in_parent=_fork_guard.release,
                    after_in_child=_fork_guard.release)


def checkpointer(path: str) -> _Checkpointer:
    """The process's checkpointer of a database file (a forked child makes its own)."""
    return _of_process(_checkpointers, path, _Checkpointer)


@contextmanager
def checkpoints_held() -> Iterator[None]:
    """No checkpoint of this process is inside SQLite meanwhile (one in progress is waited
    for). For a program that takes a database to itself right after closing Django's
    connection — a bulk load that changes the journal mode: a commit just before woke the
    checkpointer, whose connection would make that change fail with "database is locked"."""
    with _fork_guard:
        yield


# Statements whose conversion to SQLite's ``?`` placeholders is remembered (``_qmark``), and
# the longest remembered: the few hundred texts the platform sends again and again.
CONVERTED_STATEMENTS = 1024
CONVERTED_LENGTH = 16 * 1024


@functools.lru_cache(maxsize=CONVERTED_STATEMENTS)
def _qmark_cached(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


def _qmark(query: str) -> str:
    """``query`` with Django's ``%s`` placeholders as SQLite's ``?`` — what Django's cursor
    does with a regular expression for every statement (a signal sends about fifty), remembered
    here for the statements that come again."""
    if len(query) > CONVERTED_LENGTH:
        return _qmark_cached.__wrapped__(query)
    return _qmark_cached(query)


class _Cursor(base.SQLiteCursorWrapper):
    """Takes the writer lock for a write statement outside a transaction; converts each
    statement text once (``_qmark``)."""

    writer_lock: _WriterLock | None = None
    checkpointer: _Checkpointer | None = None
    timeout: float = 5.0

    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)

    def execute(self, query, params=None):
        if self.writer_lock is None or self.connection.in_transaction or not _WRITE.match(query):
            return super().execute(query, params)
        return self._locked(super().execute, query, params)

    def executemany(self, query, param_list):
        if self.writer_lock is None or self.connection.in_transaction or not _WRITE.match(query):
            return super().executemany(query, param_list)
        return self._locked(super().executemany, query, param_list)

    def _locked(self, run, query, params):
        lock = self.writer_lock
        held = lock.acquire(self.timeout)
        try:
            return run(query, params)
        finally:
            if held:
                lock.release()
            if self.checkpointer is not None:
                self.checkpointer.wake()


class DatabaseWrapper(base.DatabaseWrapper):
    _holding: _WriterLock | None = None

    _lock_path: str | None = None
    _checkpointer: _Checkpointer | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self._checkpointer = None
        if not self.is_in_memory_db():
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() == "wal":
                connection.execute("PRAGMA wal_autocheckpoint = 0")
                connection.execute(f"PRAGMA journal_size_limit = {int(WAL_SIZE_LIMIT)}")
                self._checkpointer = checkpointer(
                    str(Path(self.settings_dict["NAME"]).resolve()))
        return connection

    def _writer_lock(self) -> _WriterLock | None:
        if self._lock_path is None:
            if self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE") or self.is_in_memory_db():
                self._lock_path = ""
            else:
                self._lock_path = str(Path(self.settings_dict["NAME"]).resolve()) + LOCK_SUFFIX
        return writer_lock(self._lock_path) if self._lock_path else None

    def _timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=_Cursor)
        cursor.writer_lock = self._writer_lock()
        cursor.checkpointer = self._checkpointer
        cursor.timeout = self._timeout()
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        lock = self._writer_lock()
        if lock is not None and lock.acquire(self._timeout()):
            self._holding = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._let_go()
            raise

    def _let_go(self) -> None:
        lock, self._holding = self._holding, None
        if lock is not None:
            lock.release()

    def _commit(self) -> None:
        try:
            return super()._commit()
        finally:
            if not self.in_transaction_after_end():
                self._let_go()
                if self._checkpointer is not None:
                    self._checkpointer.wake()

    def _rollback(self) -> None:
        try:
            return super()._rollback()
        finally:
            self._let_go()

    def _close(self) -> None:
        try:
            return super()._close()
        finally:
            self._let_go()

    def in_transaction_after_end(self) -> bool:
        """Whether SQLite still has the transaction open (a failed COMMIT leaves it open
        until the rollback that follows)."""
        connection = self.connection
        return connection is not None and connection.in_transaction
