"""Bulk import: upload → check → run in the background → report.

Small files (up to ``IMPORT_ATOMIC_MAX_ROWS`` rows) are all-or-nothing: every row is prepared
first, then everything is written in one transaction. Larger files commit in chunks; the job
records how far it committed, so a killed import resumes there, and every piece carries an
idempotency key, so re-running the same file adds nothing. A row with an error is skipped as a
whole and reported with its row number; it never lands half.

Rows are checked and normalised in Python by the registry's own rules
(``registry.services.normalise_facts``, what ``build_pieces`` does), a chunk at a time, and
written set-based (``imports.bulk``: one statement per table). The next chunk is read and
normalised in a thread while the current one is written (``_pipelined``). The model
path of earlier versions (``build_pieces`` and ``save_pieces`` per row) remains for other
database vendors and as the reference the bulk path is tested against (``WRITE_PATH =
"orm"``).
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.core.database import after_bulk_work
from havenbeeld.imports import bulk
from havenbeeld.imports.mapping import (
    IGNORE,
    TARGETS,
    RowProblem,
    column_plan,
    piece_key,
    row_key,
    row_to_facts,
    said_digest,
)
from havenbeeld.imports.models import ColumnMapping, ImportedRecord, ImportJob, ImportRowError
from havenbeeld.imports.readers import Cell, UnreadableFile, open_table
from havenbeeld.registry.models import Piece, RegistryObject, Source
from havenbeeld.registry.services import (
    Provenance,
    RegistryError,
    build_pieces,
    check_provenance,
    known_keys,
    normalise_facts,
    save_pieces,
)
from havenbeeld.sharing.models import Distribution

Status = ImportJob.Status
CHUNK_ROWS = 5000
# The first chunk is smaller: nothing is written while it is prepared (``_pipelined`` prepares
# each next chunk while the one before is written), so the writing starts sooner.
FIRST_CHUNK_ROWS = 1000
MAX_ERRORS_KEPT = 10_000
# "bulk": set-based writes (SQLite and PostgreSQL); "orm": build_pieces/save_pieces per row.
WRITE_PATH = "bulk"
MEMO_MAX = 200_000  # normalised values remembered per import run
# Where the next chunk is prepared in a thread while the current one is written (_pipelined).
PIPELINE_VENDORS = ("postgresql", "sqlite")
SWITCH_INTERVAL = 0.0005  # seconds, while that thread runs (sys.setswitchinterval)
# Chunks written by two connections at once on PostgreSQL (``_SideWriter``).
SIDE_BY_SIDE = True
CHUNK_LOCK_TIMEOUT_S = 60  # longest a chunk's transaction waits for a lock (PostgreSQL)
_END = object()
_T = TypeVar("_T")


class ImportError_(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def upload_dir() -> Path:
    path = Path(settings.IMPORT_UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- Mappings ---------------------------------------------------------------------------------

def save_mapping(*, actor: User, name: str, kind: str, columns: dict[str, str],
                 key_column: str, distribution: str, legal_basis: object,
                 group: object = None, reliability: str = "X", credibility: str = "4",
                 mapping: ColumnMapping | None = None) -> ColumnMapping:
    policy.require(actor, policy.Action.CONTRIBUTE_INFORMATION)
    name = name.strip()
    if not name:
        raise ImportError_(_("Give the mapping a name."))
    allowed = set(TARGETS.get(kind, ())) | {IGNORE}
    unknown = {t for t in columns.values() if t not in allowed}
    if unknown:
        raise ImportError_(_("Unknown targets for this kind of object: %(targets)s")
                           % {"targets": ", ".join(sorted(unknown))})
    if not any(t != IGNORE for t in columns.values()):
        raise ImportError_(_("Map at least one column."))
    if key_column and key_column not in columns:
        raise ImportError_(_("The key column %(column)s is not one of the mapped columns.")
                           % {"column": key_column})
    if distribution == Distribution.GROUP and group is None:
        raise ImportError_(_("Choose the collaboration group to share with."))
    with transaction.atomic():
        if mapping is None:
            if ColumnMapping.objects.filter(organisation=actor.organisation, name=name).exists():
                raise ImportError_(_("Your organisation already has a mapping named %(name)s.")
                                   % {"name": name})
            mapping = ColumnMapping(organisation=actor.organisation, created_by=actor)
        elif mapping.organisation_id != actor.organisation_id:
            raise ImportError_(_("This mapping belongs to another organisation."))
        mapping.name, mapping.kind, mapping.columns = name, kind, columns
        mapping.key_column, mapping.distribution = key_column, distribution
        mapping.legal_basis, mapping.group = legal_basis, group
        mapping.reliability, mapping.credibility = reliability, credibility
        mapping.save()
    return mapping


def mappings_of(user: User) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(organisation=user.organisation_id)


def jobs_of(user: User) -> QuerySet[ImportJob]:
    """Imports are visible to the importing organisation's contributors and up."""
    if not policy.can(user, policy.Action.CONTRIBUTE_INFORMATION):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(organisation=user.organisation_id)


def job_for_user(user: User, pk: int) -> ImportJob:
    job = jobs_of(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


# --- Upload and check -------------------------------------------------------------------------

@dataclass
class Preview:
    headers: list[str]
    rows: list[list[str]]
    problems: list[tuple[int, RowProblem]]
    unmapped_columns: list[str]
    checked_rows: int
    total_rows: int


def _store(uploaded: UploadedFile) -> tuple[Path, str, int]:
    limit = settings.IMPORT_MAX_MB * 1024 * 1024
    if uploaded.size and uploaded.size > limit:
        raise ImportError_(_("The file is larger than %(mb)d MB. Split it, or ask an "
                             "administrator to import it with the command line.")
                           % {"mb": settings.IMPORT_MAX_MB})
    path = upload_dir() / f"{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise ImportError_(_("The file is larger than %(mb)d MB.")
                                   % {"mb": settings.IMPORT_MAX_MB})
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise ImportError_(_("The file is empty."))
    return path, digest.hexdigest(), size


def start_import(*, actor: User, mapping: ColumnMapping, uploaded: UploadedFile,
                 chunked: bool | None = None) -> ImportJob:
    """Store the upload, check it can be read against the mapping, and count its rows."""
    policy.require(actor, policy.Action.CONTRIBUTE_INFORMATION)
    if mapping.organisation_id != actor.organisation_id:
        raise ImportError_(_("This mapping belongs to another organisation."))
    path, sha256, size = _store(uploaded)
    try:
        table = open_table(path)
        missing = [c for c, t in mapping.columns.items()
                   if t != IGNORE and c not in table.headers]
        if missing:
            raise ImportError_(_("The file lacks columns the mapping needs: %(columns)s. "
                                 "Columns in the file: %(found)s.")
                               % {"columns": ", ".join(missing),
                                  "found": ", ".join(h for h in table.headers if h)})
        total = table.count_rows()
    except UnreadableFile as exc:
        path.unlink(missing_ok=True)
        raise ImportError_(exc.message) from None
    except ImportError_:
        path.unlink(missing_ok=True)
        raise
    if total == 0:
        path.unlink(missing_ok=True)
        raise ImportError_(_("The file has column names but no rows."))
    if chunked is None:
        chunked = total > settings.IMPORT_ATOMIC_MAX_ROWS
    return ImportJob.objects.create(
        organisation=actor.organisation, created_by=actor, mapping=mapping,
        file_path=str(path), original_name=Path(uploaded.name or "upload").name[:255],
        file_sha256=sha256, file_size=size, file_kind=table.kind, chunked=chunked,
        total_rows=total)


def preview(job: ImportJob, limit: int = 20, check: int = 1000) -> Preview:
    """The first rows, and the problems in the first ``check`` rows (nothing is written)."""
    table = open_table(Path(job.file_path))
    mapping = job.mapping
    provenance = _provenance(job)
    rows, problems = [], []
    checked = 0
    probe = RegistryObject(kind=mapping.kind)
    for number, cells in enumerate(table.rows, start=2):
        if checked >= check:
            break
        checked += 1
        if len(rows) < limit:
            rows.append([c.value for c in cells])
        if not cells:
            continue
        facts, row_problems = row_to_facts(table.headers, cells, mapping.columns)
        if not row_problems:
            try:
                build_pieces(actor=job.created_by, obj=probe, facts=facts,
                             provenance=provenance)
            except RegistryError:
                row_problems = _explain(job, probe, facts, provenance)
        problems += [(number, p) for p in row_problems]
    unmapped = [h for h in table.headers if h and mapping.columns.get(h, IGNORE) == IGNORE]
    return Preview(table.headers, rows, problems[:200], unmapped, checked, job.total_rows)


def _explain(job: ImportJob, obj: RegistryObject, facts: list, provenance: Provenance
             ) -> list[RowProblem]:
    """Which of a row's facts failed, with its column and cell (only on the error path)."""
    problems = []
    sources = getattr(facts, "sources", [("", "")] * len(facts))
    for fact, (column, value) in zip(facts, sources, strict=False):
        try:
            build_pieces(actor=job.created_by, obj=obj, facts=[fact], provenance=provenance)
        except RegistryError as exc:
            problems.append(RowProblem(column, value[:200], exc.message, exc.suggestion or ""))
    if not problems:  # a provenance problem, common to every fact
        try:
            build_pieces(actor=job.created_by, obj=obj, facts=facts, provenance=provenance)
        except RegistryError as exc:
            problems.append(RowProblem(exc.field, "", exc.message, exc.suggestion or ""))
    return problems


def _provenance(job: ImportJob) -> Provenance:
    mapping = job.mapping
    return Provenance(source=Source.IMPORT, distribution=mapping.distribution,
                      legal_basis=mapping.legal_basis, observed_at=job.created_at,
                      group=mapping.group if mapping.distribution == Distribution.GROUP
                      else None, reliability=mapping.reliability,
                      credibility=mapping.credibility)


# --- Running ------------------------------------------------------------------------------------

def queue_import(*, actor: User, job: ImportJob) -> ImportJob:
    from havenbeeld.imports.tasks import run_import_task

    if job.created_by_id != actor.pk:
        raise ImportError_(_("Only the person who uploaded the file can start its import."))
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (Status.PREVIEWED, Status.FAILED):
            raise ImportError_(_("This import has already been started."))
        locked.status = Status.QUEUED
        locked.message = ""
        locked.save(update_fields=["status", "message"])
        events.import_queued(actor, locked)
        transaction.on_commit(lambda: run_import_task.enqueue(locked.pk))
    return locked


def cancel_import(*, actor: User, job: ImportJob) -> None:
    if job.created_by_id != actor.pk:
        raise ImportError_(_("Only the person who uploaded the file can cancel its import."))
    ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
        status=Status.CANCELLED, finished_at=timezone.now(),
        message=_("Cancelled before it started; nothing was imported."))


class _Cancelled(Exception):
    pass


@dataclass
class _Batch:
    objects: list = field(default_factory=list)  # RegistryObject (orm) or bulk.NewObject
    records: list[tuple[str, object]] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)  # orm path
    piece_rows: list[bulk.PieceRow] = field(default_factory=list)  # bulk path
    errors: list[ImportRowError] = field(default_factory=list)
    new_objects: int = 0
    skipped: int = 0
    error_rows: int = 0
    rows: int = 0
    provenance: Provenance | None = None  # checked, for the bulk path's template piece

    @property
    def piece_count(self) -> int:
        return len(self.piece_rows) if self.provenance is not None else len(self.pieces)


@dataclass
class _State:
    """What earlier, not yet written batches of the same run created (atomic mode), and the
    normalised values the run has seen (``normalise_facts``'s memo, one per day)."""

    fresh_objects: dict[str, object] = field(default_factory=dict)
    seen_keys: set[str] = field(default_factory=set)
    memo: dict = field(default_factory=dict)
    memo_day: object = None


def _bulk_path() -> bool:
    return WRITE_PATH == "bulk" and bulk.supported()


def _prepare(job: ImportJob, chunk: list[tuple[int, list[Cell]]], normalised: _Normalised | None,
             headers: list[str], provenance: Provenance, state: _State) -> _Batch:
    """A chunk's batch: on the bulk path from its rows as ``_work`` normalised them."""
    if normalised is not None:
        return _assemble_bulk(job, normalised, provenance, state)
    return _prepare_orm(job, chunk, headers, provenance, state)


def _row_errors(job: ImportJob, number: int, problems: list[RowProblem]
                ) -> list[ImportRowError]:
    return [ImportRowError(job=job, row_number=number, column=p.column[:200],
                           value=p.value[:200], message=p.message[:500],
                           suggestion=p.suggestion[:100]) for p in problems]


# What a piece of an imported row says: property, scheme, value as shown, value normalised and
# its idempotency key (``piece_key``); ``bulk.PieceRow`` without the object.
_SaidRow = tuple[str, str, str, str, str]


class _CheckedRow(NamedTuple):
    """A data row as ``_normalise_rows`` leaves it for ``_assemble_bulk``."""

    number: int  # its row number in the spreadsheet
    key: str  # ``row_key``
    facts: list  # what it states (``_explain`` needs them if the row fails)
    problems: list[RowProblem]  # what ``row_to_facts`` found wrong with it
    said: list[_SaidRow] | None  # its pieces, None if ``normalise_facts`` refused a fact


@dataclass
class _Normalised:
    """A chunk of rows checked and normalised by ``_normalise_rows``."""

    rows: int  # the chunk's rows, blank ones included
    checked: list[_CheckedRow]


def _normalise_rows(job: ImportJob, numbered_rows: list[tuple[int, list[Cell]]],
                    headers: list[str], plan: list, provenance: Provenance, state: _State
                    ) -> _Normalised:
    """The part of preparing a chunk that needs no database: each row's key, its facts and
    their values as shown and normalised by the registry's rules (``normalise_facts``, with the
    run's memo), and the pieces' idempotency keys. This is most of an import's work, and it
    runs in a thread while the chunk before is written (``_pipelined``), so it must not touch
    the database; ``_assemble_bulk`` does the part that does.

    ``normalise_facts`` uses of the provenance only the legal basis and the distribution (the
    BSN rules), which ``check_provenance`` leaves as they are, so the rows are normalised
    before the provenance is checked; if the check fails, ``_assemble_bulk`` reports every
    row as before."""
    mapping, actor = job.mapping, job.created_by
    today = timezone.localdate()  # "lies in the future" depends on the day
    if state.memo_day != today or len(state.memo) > MEMO_MAX:
        state.memo.clear()
        state.memo_day = today
    memo = state.memo
    probe = RegistryObject(kind=mapping.kind)  # imported rows state no relations
    columns, key_column = mapping.columns, mapping.key_column
    prefix_of_mapping = f"import:{mapping.pk}:"
    checked: list[_CheckedRow] = []
    for number, cells in numbered_rows:
        if not cells:
            continue
        key = row_key(headers, cells, key_column)
        facts, problems = row_to_facts(headers, cells, columns, plan)
        said: list[_SaidRow] | None = None
        if not problems:
            try:
                normalised_facts = normalise_facts(actor=actor, obj=probe, facts=facts,
                                                   provenance=provenance, memo=memo)
            except RegistryError:
                pass
            else:
                prefix = prefix_of_mapping + key
                said = []
                for fact, shown, normalised in normalised_facts:  # piece_key, without a piece
                    scheme = fact.scheme.value if fact.scheme else ""
                    prop = fact.property.value
                    said.append((prop, scheme, shown, normalised,
                                 f"{prefix}:{said_digest(prop, scheme, normalised or shown)}"))
        checked.append(_CheckedRow(number, key, facts, problems, said))
    return _Normalised(len(numbered_rows), checked)


def _assemble_bulk(job: ImportJob, normalised: _Normalised, provenance: Provenance,
                   state: _State) -> _Batch:
    """Turn a chunk's normalised rows into plain piece rows for ``bulk.write_chunk``.

    What ``build_pieces`` checks per row that is the same for every row — the right to
    contribute and the provenance — is checked once; if the provenance fails, every row
    reports it as before (``_explain``). Idempotency: a row whose key is new to
    the mapping has no pieces yet (a row's record and pieces are written in one transaction and
    removed together with the object), so only rows of known objects have their piece keys
    looked up, in one query."""
    mapping, actor = job.mapping, job.created_by
    policy.require(actor, policy.Action.CONTRIBUTE_INFORMATION)
    try:
        checked: Provenance | None = check_provenance(actor, provenance)
    except RegistryError:
        checked = None
    batch = _Batch(provenance=checked or provenance, rows=normalised.rows)
    rows_checked = normalised.checked
    known = bulk.recorded_objects(ImportedRecord, mapping.pk, {row.key for row in rows_checked})
    fresh_objects = state.fresh_objects
    probe = RegistryObject(kind=mapping.kind)
    prepared: list[list[bulk.PieceRow]] = []
    lookup: list[str] = []
    for number, key, facts, problems, said in rows_checked:
        if not problems and (said is None or checked is None):
            problems = _explain(job, probe, facts, provenance)
            said = []
        if problems:
            batch.error_rows += 1
            batch.errors += _row_errors(job, number, problems)
            continue
        obj = known.get(key) or fresh_objects.get(key)
        if obj is None:
            obj = fresh_objects[key] = bulk.NewObject()
            batch.objects.append(obj)
            batch.records.append((key, obj))
        rows = [(obj, *piece) for piece in said]
        if key in known:
            lookup += [row[5] for row in rows]
        prepared.append(rows)
    seen = state.seen_keys
    if lookup:
        seen |= known_keys(lookup)
    for rows in prepared:
        new = []
        for row in rows:
            if row[5] not in seen:
                seen.add(row[5])
                new.append(row)
        if not new:
            batch.skipped += 1
        batch.piece_rows += new
    batch.new_objects = len(batch.objects)
    return batch


def _prepare_orm(job: ImportJob, numbered_rows: list[tuple[int, list[Cell]]],
                 headers: list[str], provenance: Provenance, state: _State) -> _Batch:
    mapping = job.mapping
    batch = _Batch()
    keys = {}
    for number, cells in numbered_rows:
        if cells:
            keys[number] = row_key(headers, cells, mapping.key_column)
    known = dict(ImportedRecord.objects.filter(mapping=mapping, row_key__in=set(keys.values()))
                 .values_list("row_key", "object_id"))
    fresh_objects = state.fresh_objects
    new_here: list[RegistryObject] = []
    all_keys: list[str] = []
    prepared: list[tuple[int, RegistryObject, list[Piece]]] = []
    for number, cells in numbered_rows:
        batch.rows += 1
        if not cells:
            continue
        key = keys[number]
        prefix = f"import:{mapping.pk}:{key}"
        facts, problems = row_to_facts(headers, cells, mapping.columns)
        if key in known:
            obj = RegistryObject(pk=known[key], kind=mapping.kind)
        elif key in fresh_objects:
            obj = fresh_objects[key]
        else:
            obj = RegistryObject(kind=mapping.kind)
        pieces: list[Piece] = []
        if not problems:
            try:
                pieces = build_pieces(actor=job.created_by, obj=obj, facts=facts,
                                      provenance=provenance)
            except RegistryError:
                problems = _explain(job, obj, facts, provenance)
        if problems:
            batch.error_rows += 1
            batch.errors += [ImportRowError(job=job, row_number=number, column=p.column[:200],
                                            value=p.value[:200], message=p.message[:500],
                                            suggestion=p.suggestion[:100]) for p in problems]
            continue
        for piece in pieces:
            piece.idempotency_key = piece_key(prefix, piece)
        if obj.pk is None and key not in fresh_objects:
            fresh_objects[key] = obj
            new_here.append(obj)
            batch.records.append((key, obj))
        all_keys += [p.idempotency_key for p in pieces]
        prepared.append((number, obj, pieces))
    existing = known_keys(all_keys)
    seen = state.seen_keys
    seen |= existing
    for _number, _obj, pieces in prepared:
        new = []
        for piece in pieces:
            if piece.idempotency_key not in seen:
                seen.add(piece.idempotency_key)
                new.append(piece)
        if not new:
            batch.skipped += 1
        batch.pieces += new
    batch.objects = new_here
    batch.new_objects = len(new_here)
    return batch


def _template_piece(job: ImportJob, provenance: Provenance) -> Piece:
    """The provenance every piece of the import carries, as ``build_pieces`` sets it."""
    actor = job.created_by
    return Piece(organisation=actor.organisation, source=provenance.source,
                 observed_at=provenance.observed_at, recorded_by=actor,
                 distribution=provenance.distribution, group=provenance.group,
                 legal_basis=provenance.legal_basis, retain_until=provenance.retain_until,
                 reliability=provenance.reliability, credibility=provenance.credibility)


def _write(job: ImportJob, batch: _Batch) -> None:
    # Resolution hears of the objects once the whole file is in (``_resolve_afterwards``).
    if batch.provenance is not None:
        bulk.write_chunk(kind=job.mapping.kind,
                         template_piece=_template_piece(job, batch.provenance),
                         objects=batch.objects, pieces=batch.piece_rows,
                         records=batch.records, record_model=ImportedRecord,
                         mapping_id=job.mapping_id)
    else:
        RegistryObject.objects.bulk_create(batch.objects)
        save_pieces(batch.pieces, notify=False)
        ImportedRecord.objects.bulk_create(
            [ImportedRecord(mapping=job.mapping, row_key=key, object=obj)
             for key, obj in batch.records])
    ImportRowError.objects.bulk_create(batch.errors[:MAX_ERRORS_KEPT])


def _chunks(job: ImportJob) -> tuple[list[str], Iterator[list[tuple[int, list[Cell]]]]]:
    table = open_table(Path(job.file_path))

    def numbered():
        rows = enumerate(table.rows, start=2)
        size = min(FIRST_CHUNK_ROWS, CHUNK_ROWS)
        while chunk := list(islice(rows, size)):
            yield chunk
            size = CHUNK_ROWS

    return table.headers, numbered()


def _work(job: ImportJob, headers: list[str], chunks, provenance: Provenance, state: _State,
          resume_after: int = 0
          ) -> Iterator[tuple[list[tuple[int, list[Cell]]] | None, _Normalised | None]]:
    """Each chunk of the file with the rows after ``resume_after`` (None for a chunk wholly
    before it), and on the bulk path those rows normalised (``_normalise_rows``)."""
    bulk_path = _bulk_path()
    plan = column_plan(headers, job.mapping.columns)
    for chunk in chunks:
        if chunk[-1][0] <= resume_after:
            yield None, None
            continue
        if resume_after:
            chunk = [(n, c) for n, c in chunk if n > resume_after]
        yield chunk, (_normalise_rows(job, chunk, headers, plan, provenance, state)
                      if bulk_path else None)


def _pipelined(work: Iterator[_T]) -> Iterator[_T]:
    """``work`` one step ahead in a thread (``_ahead``) on the bulk path, where writing a chunk
    leaves the interpreter free most of the time (``bulk.writes_let_go``): PostgreSQL works
    on a ``COPY`` and on the foreign key checks at commit, SQLite on one statement per table.
    The next chunk is read and normalised meanwhile. The ORM path stays as it was."""
    if not (_bulk_path() and connection.vendor in PIPELINE_VENDORS and bulk.writes_let_go()):
        return work
    return _ahead(work)


def _ahead(items: Iterator[_T]) -> Iterator[_T]:
    """What ``items`` yields, each item made in a worker thread while the caller works on the
    one before. The thread runs with the caller's language and time zone, and without the
    database: a query there would open a connection of its own, outside the import's
    transaction (it raises instead). An error in ``items`` is raised where the caller asks for
    that item, so what was committed before it stays as in a run without the thread; closing
    the iterator waits for the item in the making and lets the thread go.

    While the thread computes, the caller waits for the interpreter's lock after each of its
    queries, up to the switch interval (5 ms by default) every time; a chunk makes about a
    dozen queries besides its writes. The interval is shortened while this runs (to
    ``SWITCH_INTERVAL``; on SQLite the import ran 15 % faster with it)."""
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def step() -> object:
        with translation.override(language), timezone.override(zone), _no_database():
            return next(items, _END)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-prepare") as pool:
            future = pool.submit(step)
            while (item := future.result()) is not _END:
                future = pool.submit(step)
                yield item
    finally:
        sys.setswitchinterval(interval)


@contextmanager
def _no_database() -> Iterator[None]:
    """Queries refused in this thread (and a connection it opened anyway closed again)."""
    def refuse(execute, sql, params, many, context):
        raise RuntimeError("The import's preparation thread does not use the database.")

    try:
        with connection.execute_wrapper(refuse):
            yield
    finally:
        connection.close()


def _check_cancel(job: ImportJob) -> None:
    if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
        raise _Cancelled


def run_import(job_id: int) -> ImportJob:
    """The background work of one import. Safe to call again: it resumes or does nothing."""
    job = ImportJob.objects.select_related("mapping__legal_basis", "mapping__group",
                                           "created_by__organisation").get(pk=job_id)
    if job.status not in (Status.QUEUED, Status.RUNNING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING,
                                               started_at=job.started_at or timezone.now())
    provenance = _provenance(job)
    try:
        headers, chunks = _chunks(job)
        with bulk.import_session(), bulk.paused_gc():
            if job.chunked:
                _run_chunked(job, headers, chunks, provenance)
            else:
                _run_atomic(job, headers, chunks, provenance)
    except _Cancelled:
        kept = ImportJob.objects.get(pk=job.pk).committed_rows
        message = (_("Cancelled. %(rows)d rows committed in earlier chunks were kept.")
                   % {"rows": kept - 1} if job.chunked and kept
                   else _("Cancelled. Nothing of this file was imported."))
        ImportJob.objects.filter(pk=job.pk).update(status=Status.CANCELLED,
                                                   finished_at=timezone.now(), message=message)
    except (UnreadableFile, OSError) as exc:
        message = getattr(exc, "message", str(exc))
        ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED,
                                                   finished_at=timezone.now(),
                                                   message=message[:2000])
    job.refresh_from_db()
    events.import_finished(job)
    if job.status == Status.DONE:
        # A large file changes the tables' shape: the planner's statistics first (the
        # matching that follows reads through the same indexes).
        after_bulk_work(job.processed_rows - job.skipped_rows - job.error_rows,
                        table=RegistryObject._meta.db_table)
        _resolve_afterwards(job)
    return job


def _resolve_afterwards(job: ImportJob) -> None:
    """Match the imported objects against everything else, as a background task of its own,
    so the import's progress is the import's and a large file is matched in one pass."""
    from havenbeeld.resolution.tasks import intake_task

    ids = list(ImportedRecord.objects.filter(mapping=job.mapping, object__pieces__isnull=False)
               .filter(object__pieces__recorded_at__gte=job.started_at or job.created_at)
               .values_list("object_id", flat=True).distinct())
    if ids:
        transaction.on_commit(lambda: intake_task.enqueue(ids))


def _run_atomic(job: ImportJob, headers: list[str], chunks, provenance: Provenance) -> None:
    batches = []
    processed = 0
    state = _State()
    with closing(_pipelined(_work(job, headers, chunks, provenance, state))) as work:
        for chunk, normalised in work:
            _check_cancel(job)
            batches.append(_prepare(job, chunk, normalised, headers, provenance, state))
            processed += len(chunk)
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)
    _check_cancel(job)
    with transaction.atomic():
        for batch in batches:
            _write(job, batch)
        totals = _totals(batches)
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.DONE, finished_at=timezone.now(), committed_rows=processed + 1,
            **totals, message=_("Imported all at once."))


def _run_chunked(job: ImportJob, headers: list[str], chunks, provenance: Provenance) -> None:
    resume_after = job.committed_rows  # last committed spreadsheet row number
    state = _State()
    work = _work(job, headers, chunks, provenance, state, resume_after)
    side = _SideWriter() if _writes_side_by_side() else None
    # What the chunk before made (row keys → objects, piece keys): it may not be committed yet
    # when the next one is prepared (``_SideWriter``), so the next one reuses what it made
    # instead of making it again. What chunks before that made is committed: found in the
    # database.
    carried: tuple[dict[str, object], set[str]] = ({}, set())
    before: _Turn | None = None
    with closing(_pipelined(work)) as work, side or contextlib.nullcontext():
        for chunk, normalised in work:
            _check_cancel(job)
            if chunk is None:
                continue
            state.fresh_objects = dict(carried[0])
            state.seen_keys = set(carried[1])
            batch = _prepare(job, chunk, normalised, headers, provenance, state)
            turn = _Turn(before)
            if side is not None:
                carried = ({k: v for k, v in state.fresh_objects.items()
                            if k not in carried[0]}, state.seen_keys - carried[1])
                bulk.assign_ids(batch.objects)  # the next chunk may name them
            if side is not None and side.idle():
                side.submit(_commit_chunk, job, chunk, batch, turn)
            else:
                try:
                    _commit_chunk(job, chunk, batch, turn)
                except _EarlierChunkFailed:
                    if side is not None:
                        side.wait()  # raises that chunk's own error
                    raise
            before = turn
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.DONE, finished_at=timezone.now(), processed_rows=job.total_rows,
        message=_("Imported in chunks."))


def _commit_chunk(job: ImportJob, chunk: list[tuple[int, list[Cell]]], batch: _Batch,
                  turn: _Turn) -> None:
    """Write a chunk and record how far the import got, in one transaction, committed after
    the chunk before it (``turn``): the rows are written while that one may still be
    committing, the job's row only once it has. If the chunk before failed, so does this
    one, and nothing of it is kept: the job's mark never passes a chunk that is not there."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Two chunks in the making never wait for each other's rows (the next one
                # reuses what the one before made); should they ever, this ends it.
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{int(CHUNK_LOCK_TIMEOUT_S)}s'")
            _write(job, batch)
            turn.wait_for_the_one_before()
            current = ImportJob.objects.select_for_update().get(pk=job.pk)
            current.committed_rows = chunk[-1][0]
            current.processed_rows = chunk[-1][0] - 1
            current.created_objects += batch.new_objects
            current.created_pieces += batch.piece_count
            current.skipped_rows += batch.skipped
            current.error_rows += batch.error_rows
            current.save(update_fields=["committed_rows", "processed_rows",
                                        "created_objects", "created_pieces",
                                        "skipped_rows", "error_rows"])
    except BaseException:
        turn.done(ok=False)
        raise
    turn.done(ok=True)


class _Turn:
    """A chunk's place in the order of commits: done (committed or failed) once, waited for
    by the chunk after it."""

    def __init__(self, before: _Turn | None) -> None:
        self.before = before
        self._done = threading.Event()
        self.ok = False

    def done(self, *, ok: bool) -> None:
        self.ok = ok
        self._done.set()

    def wait_for_the_one_before(self) -> None:
        before, self.before = self.before, None
        if before is None:
            return
        before._done.wait()
        if not before.ok:
            raise _EarlierChunkFailed


class _EarlierChunkFailed(Exception):
    """The chunk before failed (its own error is raised where it ran)."""


def _writes_side_by_side() -> bool:
    """Whether chunks are written by two connections at once (``_SideWriter``): on the bulk
    path on PostgreSQL, whose server then works on two chunks at a time, and only where this
    connection is not inside a transaction of its caller's, which the other connection could
    not see into."""
    return (SIDE_BY_SIDE and _bulk_path() and connection.vendor == "postgresql"
            and not connection.in_atomic_block)


class _SideWriter:
    """A second connection, in a thread, that writes every other chunk of a chunked import
    while the caller prepares and writes the next one (PostgreSQL: the server works on both,
    each in its own process; one chunk's ``COPY`` and foreign-key checks took the server
    three times what the client needed to prepare it). Commits stay in the file's order
    (``_Turn``). Leaving waits for the chunk in the making and closes the connection."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-write")
        self._pending: Future | None = None
        language, zone = translation.get_language(), timezone.get_current_timezone()

        def run(work: Callable[..., None], *args: object) -> None:
            with translation.override(language), timezone.override(zone):
                work(*args)

        self._run = run

    def idle(self) -> bool:
        """Whether it has no chunk in the making (the error of the one it made is raised)."""
        if self._pending is not None and self._pending.done():
            self.wait()
        return self._pending is None

    def submit(self, work: Callable[..., None], *args: object) -> None:
        self._pending = self._pool.submit(self._run, work, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> _SideWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
            elif self._pending is not None:  # its error, if any, follows the caller's
                futures_wait([self._pending])
        finally:
            # Its own connection: ``connection`` is looked up in the thread.
            self._pool.submit(lambda: connection.close()).result()
            self._pool.shutdown()


def _totals(batches: list[_Batch]) -> dict[str, int]:
    return {
        "processed_rows": sum(b.rows for b in batches),
        "created_objects": sum(b.new_objects for b in batches),
        "created_pieces": sum(b.piece_count for b in batches),
        "skipped_rows": sum(b.skipped for b in batches),
        "error_rows": sum(b.error_rows for b in batches),
    }
