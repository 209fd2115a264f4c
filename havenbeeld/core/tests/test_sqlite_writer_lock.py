"""The SQLite backend queues writers on a file lock (havenbeeld/core/sqlite/base.py): held for
exactly a write transaction or an autocommit write, released by commit, rollback, close and a
process that dies, and never a reason to wait forever."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from pathlib import Path

from django.db import OperationalError
from django.db.utils import ConnectionHandler

import pytest

from havenbeeld.core.sqlite.base import LOCK_SUFFIX, writer_lock


def _connection(path: Path, timeout: float = 5):
    handler = ConnectionHandler({"default": {
        "ENGINE": "havenbeeld.core.sqlite", "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout,
                    "init_command": "PRAGMA journal_mode=WAL;"}}})
    return handler["default"]


def _begin(connection) -> None:
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(connection, commit: bool = True) -> None:
    connection.commit() if commit else connection.rollback()
    connection.set_autocommit(True)


def _lock_is_free(path: Path) -> bool:
    """Whether another process could take the writer lock now (tried from a fresh
    descriptor, as another process would)."""
    fd = os.open(str(path.resolve()) + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open databases of their own, beside the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "writers.sqlite3"
    connection = _connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    connection.close()
    return path


def test_a_write_transaction_holds_the_lock_until_commit_or_rollback(database: Path):
    connection = _connection(database)
    assert _lock_is_free(database)
    _begin(connection)
    assert not _lock_is_free(database)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES ('a')")
    assert not _lock_is_free(database)
    _end(connection)
    assert _lock_is_free(database)
    _begin(connection)
    assert not _lock_is_free(database)
    _end(connection, commit=False)
    assert _lock_is_free(database)
    _begin(connection)
    connection.close()  # a connection closed mid-transaction lets go too
    assert _lock_is_free(database)


def test_an_autocommit_write_takes_the_lock_and_a_read_does_not(database: Path, monkeypatch):
    connection = _connection(database)
    lock = writer_lock(str(database.resolve()) + LOCK_SUFFIX)
    taken = []
    acquire = lock.acquire
    monkeypatch.setattr(lock, "acquire", lambda timeout: taken.append(timeout) or acquire(
        timeout))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert taken == []
        cursor.execute("INSERT INTO t (v) VALUES ('b')")
        assert len(taken) == 1
        cursor.execute("  update t SET v = 'c'")
        assert len(taken) == 2
    assert _lock_is_free(database)
    connection.close()


def _hold_and_die(path: str, ready) -> None:
    connection = _connection(Path(path))
    _begin(connection)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES ('never committed')")
    ready.set()
    threading.Event().wait(60)  # killed long before


def test_a_process_that_dies_mid_transaction_leaves_no_lock_behind(database: Path):
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=_hold_and_die, args=(str(database), ready))
    child.start()
    assert ready.wait(30)
    assert not _lock_is_free(database)
    child.kill()
    child.join(30)
    assert _lock_is_free(database)
    connection = _connection(database)
    _begin(connection)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES ('after')")
        cursor.execute("SELECT v FROM t")
        assert [row[0] for row in cursor.fetchall()] == ["after"]
    _end(connection)
    connection.close()


def test_a_thread_waiting_on_its_own_process_gives_up_instead_of_hanging(database: Path):
    """One thread holds a transaction while another of the same process writes (a test with a
    live server can do this): the second waits its busy timeout, then meets SQLite's own
    "database is locked" — an error, never a hang."""
    holder = _connection(database)
    _begin(holder)
    outcome: list[object] = []

    def write() -> None:
        other = _connection(database, timeout=0.2)
        try:
            _begin(other)
            outcome.append("began")
        except OperationalError as exc:
            outcome.append(exc)
        finally:
            other.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert isinstance(outcome[0], OperationalError) and "locked" in str(outcome[0])
    _end(holder)
    holder.close()
    assert _lock_is_free(database)


# --- Checkpoints beside the writers ----------------------------------------------------------

def _log_frames(path: Path) -> tuple[int, int]:
    """Frames in the write-ahead log and how many of them are copied back, read from a plain
    connection (a passive checkpoint of nothing new reports them; while the checkpointer runs
    one, it reports -1 and is asked again)."""
    import sqlite3
    from contextlib import closing

    found: list[tuple[int, int]] = []

    def read() -> bool:
        with closing(sqlite3.connect(path)) as plain:
            _busy, frames, copied = plain.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        found.append((frames, copied))
        return frames >= 0

    assert _until(read)
    return found[-1]


def _write_transactions(connection, count: int, size: int = 20_000) -> None:
    for _ in range(count):
        _begin(connection)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO t (v) VALUES (%s)", ["x" * size])
        _end(connection)


def _until(condition, seconds: float = 10) -> bool:
    import time

    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def test_commits_are_copied_back_by_the_process_s_checkpointer_not_by_the_writer(database):
    """A writer's commit no longer copies the log back itself (SQLite's automatic checkpoint
    is off on the backend's connections); the process's checkpointer does it after the
    commits, and the log starts over instead of growing for as long as writers write."""
    connection = _connection(database)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 0
    ours = connection._checkpointer
    assert ours is not None and ours.thread.is_alive()
    # Only a checkpoint writes to the database file itself: it grows by each round's 2 MB
    # (far past SQLite's 1,000 pages of 4 KiB) once the checkpointer has copied the round.
    for round_ in range(1, 7):
        _write_transactions(connection, 100)
        assert _until(lambda round_=round_: database.stat().st_size > round_ * 2_000_000)
        # What the checkpointer had not copied yet when the file had grown so far is copied
        # now (``_log_frames`` runs a passive checkpoint), so that the next round's first
        # writer finds the whole log copied — on a loaded machine the checkpointer, which
        # waits ``CHECKPOINT_INTERVAL`` between checkpoints, could still be behind.
        frames = _log_frames(database)[0]
        if round_ == 1:
            frames_after_first = frames
    assert ours.done >= 6
    # Started over rather than grown: the log holds a round or two of writes, not six (a
    # writer starts it over when it begins after a checkpoint has copied all of it).
    frames, copied = _log_frames(database)
    assert frames == copied and frames < 4 * frames_after_first
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 600
    connection.close()


class _Readers:
    """Readers that never all leave the log: two connections in turn, the next one reading
    before the one before it ends, as readers under steady load do."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.connections = [sqlite3.connect(str(path), isolation_level=None,
                                            check_same_thread=False) for _ in range(2)]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read)

    def _read(self) -> None:
        first, second = self.connections
        first.execute("BEGIN")
        first.execute("SELECT count(*) FROM t").fetchone()
        while not self.stop.is_set():
            second.execute("BEGIN")
            second.execute("SELECT count(*) FROM t").fetchone()
            first.execute("COMMIT")
            time.sleep(0.002)
            first, second = second, first
        first.execute("COMMIT")

    def __enter__(self) -> _Readers:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        for connection in self.connections:
            connection.close()


def _wal_bytes(path: Path) -> int:
    wal = Path(str(path) + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_log_some_reader_is_always_in_is_still_started_over(database: Path, monkeypatch):
    """Under steady load some reader is always in the log, so no writer could start it over
    and it grew without end (10 GB in two and a half minutes of the signals benchmark). Once
    it holds ``RESTART_AFTER_FRAMES`` frames the checkpointer restarts it under the writer
    lock: after 3,000 transactions (about 60 MB, 15,000 frames) the log holds only what came
    since the last restart. (Without the restart — ``RESTART_AFTER_FRAMES`` out of reach —
    this test left a log of 21,124 frames in an 87 MB file.)"""
    from havenbeeld.core.sqlite import base as sqlite_base

    monkeypatch.setattr(sqlite_base, "RESTART_AFTER_FRAMES", 64)
    monkeypatch.setattr(sqlite_base, "WAL_SIZE_LIMIT", 4_000_000)
    connection = _connection(database)
    connection.ensure_connection()
    ours = connection._checkpointer
    with _Readers(database):
        _write_transactions(connection, 3000)
    frames, _copied = _log_frames(database)
    size = _wal_bytes(database)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 3000
    connection.close()
    assert ours.restarts >= 2
    assert frames < 7_000 and size < 30_000_000


def test_a_reader_that_stays_long_does_not_stop_the_writers_at_every_checkpoint(
        database: Path, monkeypatch):
    """A reader that stays in the log (a long report) keeps it from starting over; each try
    holds every writer for ``RESTART_WAIT``. After one such try the next comes only when the
    log has doubled, so a hundred checkpoints make a handful of tries, not a hundred (without
    the doubling, a hundred here); once the reader has gone, the log starts over."""
    import sqlite3
    from contextlib import closing

    from havenbeeld.core.sqlite import base as sqlite_base

    monkeypatch.setattr(sqlite_base, "RESTART_AFTER_FRAMES", 64)
    monkeypatch.setattr(sqlite_base, "RESTART_WAIT", 0.05)
    monkeypatch.setattr(sqlite_base, "CHECKPOINT_INTERVAL", 0.005)
    connection = _connection(database)
    connection.ensure_connection()
    ours = connection._checkpointer
    with closing(sqlite3.connect(str(database), isolation_level=None)) as reader:
        _write_transactions(connection, 10)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM t").fetchone()  # in the log from here on
        done = ours.done

        def checkpoints_after_writes(count: int) -> bool:
            _write_transactions(connection, 20)  # a checkpoint comes after a commit only
            return ours.done >= done + count

        assert _until(lambda: checkpoints_after_writes(100), seconds=60)
        assert ours.restarts == 0
        # Thousands of frames: tries at 64 frames or more, then twice as many each time.
        assert 1 <= ours.deferred <= 10
        reader.execute("COMMIT")
    started_over = _log_frames(database)[0] // 2

    def written_and_started_over() -> bool:
        _write_transactions(connection, 5)  # a writer starts the log over when it begins
        return _log_frames(database)[0] < started_over

    assert _until(written_and_started_over)
    connection.close()


def test_a_restart_that_cannot_take_the_lock_leaves_the_checkpointer_running(
        database: Path, monkeypatch, caplog):
    """Should the writer lock's file fail the restart (a full disk, a vanished directory),
    the failure is logged and the checkpointer goes on copying the log back."""
    import logging

    from havenbeeld.core.sqlite import base as sqlite_base

    usable = sqlite_base.writer_lock

    def unusable(path: str):  # to the checkpointer only: the writers still write
        if threading.current_thread().name == "sqlite-checkpoint":
            raise OSError("no space left on device")
        return usable(path)

    monkeypatch.setattr(sqlite_base, "RESTART_AFTER_FRAMES", 1)
    monkeypatch.setattr(sqlite_base, "writer_lock", unusable)
    connection = _connection(database)
    connection.ensure_connection()
    ours = connection._checkpointer
    with caplog.at_level(logging.WARNING, logger="havenbeeld.core.sqlite.base"):
        _write_transactions(connection, 5)
        assert _until(lambda: "no space left" in caplog.text)
        done = ours.done
        assert _until(lambda: (_write_transactions(connection, 1), ours.done > done)[1])
    assert ours.thread.is_alive()
    connection.close()


def test_a_database_not_in_wal_mode_keeps_sqlite_s_own_checkpoints(tmp_path: Path):
    handler = ConnectionHandler({"default": {
        "ENGINE": "havenbeeld.core.sqlite", "NAME": str(tmp_path / "rollback.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE"}}})
    connection = handler["default"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 1000
    assert connection._checkpointer is None
    connection.close()


def _checkpointer_of_child(path: str, answer) -> None:
    from havenbeeld.core.sqlite.base import checkpointer

    mine = checkpointer(path)
    answer.put((mine.pid == os.getpid(), mine.thread.is_alive()))


def test_a_forked_process_runs_a_checkpointer_of_its_own(database: Path):
    from havenbeeld.core.sqlite.base import checkpointer

    path = str(database.resolve())
    parent = checkpointer(path)
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    child = context.Process(target=_checkpointer_of_child, args=(path, answer))
    child.start()
    assert answer.get(timeout=10) == (True, True)
    child.join(timeout=10)
    assert checkpointer(path) is parent


def test_once_its_connections_close_the_process_leaves_the_database_to_others(database):
    """The checkpointer opens a connection for each checkpoint only: when the process's own
    connections are closed, another program can take the database to itself (here: leave WAL
    mode, which SQLite allows only to the sole connection)."""
    import sqlite3
    from contextlib import closing

    connection = _connection(database)
    _write_transactions(connection, 20)
    ours = connection._checkpointer
    assert _until(lambda: ours.done >= 1)
    connection.close()
    with closing(sqlite3.connect(database, timeout=5)) as alone:
        assert alone.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"


def test_a_fork_waits_for_the_checkpoint_in_progress(database: Path, monkeypatch):
    """A process forked while its checkpointer was inside SQLite got SQLite's mutexes locked
    and hung at its first connection. Here a checkpoint is held inside SQLite for half a
    second: the fork happens only after it."""
    import sqlite3 as sqlite

    from havenbeeld.core.sqlite import base as backend

    inside = threading.Event()
    real_connect = sqlite.connect

    def slow_connect(*args, **kwargs):
        inside.set()
        time.sleep(0.5)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(backend.sqlite3, "connect", slow_connect)
    ours = backend._Checkpointer(str(database.resolve()))
    ours.wake()
    assert inside.wait(10)
    began = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: leave at once, whatever happens
        os._exit(0)
    waited = time.monotonic() - began
    os.waitpid(pid, 0)
    assert waited >= 0.3  # the fork came after the checkpoint (0.5 s inside SQLite)
    assert _until(lambda: ours.done >= 1)


def test_a_program_that_takes_the_database_to_itself_waits_for_the_checkpoint_in_progress(
        database: Path, monkeypatch):
    """A bulk load closes Django's connection and leaves WAL mode at once — while the
    checkpoint its last commit asked for may be inside SQLite, which made that fail with
    "database is locked" (a benchmark's fill did). ``checkpoints_held`` waits for it."""
    import sqlite3 as sqlite
    from contextlib import closing

    from havenbeeld.core.sqlite import base as backend

    inside = threading.Event()
    real_connect = sqlite.connect

    class SlowCheckpoint:  # a checkpoint that takes half a second inside SQLite
        def __init__(self, opened):
            self.opened = opened

        def execute(self, sql):
            result = self.opened.execute(sql)
            if "wal_checkpoint" in sql:
                inside.set()
                time.sleep(0.5)
            return result

        def close(self):
            self.opened.close()

    def slow_checkpoint_connection(*args, **kwargs):
        return SlowCheckpoint(real_connect(*args, **kwargs))

    monkeypatch.setattr(backend.sqlite3, "connect", slow_checkpoint_connection)
    ours = backend._Checkpointer(str(database.resolve()))
    ours.wake()
    assert inside.wait(10)
    with backend.checkpoints_held(), closing(real_connect(database, timeout=0)) as alone:
        assert alone.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"


def test_statements_are_converted_as_django_converts_them_and_each_text_once(database: Path):
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from havenbeeld.core.sqlite.base import CONVERTED_LENGTH, _qmark, _qmark_cached

    connection = _connection(database)
    with connection.cursor() as cursor:
        for value in ("50%", "100%%", "%s", "a'%s'b"):
            cursor.execute("INSERT INTO t (v) VALUES (%s)", [value])
        cursor.execute("SELECT v FROM t WHERE substr(v, -1) = '%%' AND v <> %s ORDER BY id",
                       ["x"])
        assert [v for (v,) in cursor.fetchall()] == ["50%", "100%%"]
        cursor.execute("SELECT count(*) FROM t WHERE v = %(v)s", {"v": "%s"})
        assert cursor.fetchone() == (1,)
    connection.close()

    django = SQLiteCursorWrapper.convert_query
    long = "SELECT 1 WHERE 1 IN (" + ", ".join(["%s"] * CONVERTED_LENGTH) + ")"
    for query in ("SELECT %s, '%%s', %%s, 100%%", "SELECT 1", long):
        assert _qmark(query) == django(None, query)
    _qmark_cached.cache_clear()
    for _ in range(3):
        _qmark("SELECT %s")
        _qmark(long)
    info = _qmark_cached.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, 2, 1)  # the long one not kept


def test_a_checkpoint_deferred_by_another_connection_s_lock_is_not_a_warning(database, caplog):
    """A program that holds the database to itself (a bulk load in exclusive locking mode, a
    backup) makes a passive checkpoint fail with "database is locked": the next commit asks
    again, and the log says so quietly instead of warning with a traceback each time."""
    import logging
    import sqlite3

    from havenbeeld.core.sqlite.base import _Checkpointer

    holder = sqlite3.connect(str(database), isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO t (v) VALUES ('held')")
    try:
        with caplog.at_level(logging.DEBUG, logger="havenbeeld.core.sqlite.base"):
            checkpointer = _Checkpointer(str(database))
            checkpointer.wake()
            assert _until(lambda: "deferred" in caplog.text)
        assert checkpointer.done == 0
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    finally:
        holder.execute("COMMIT")
        holder.close()
