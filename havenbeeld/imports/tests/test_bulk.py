"""The set-based write path writes exactly what the model path (build_pieces + save_pieces per
row) writes: the same pieces with every column, the same name tokens, row records, errors and
totals, and nothing else in any table; and either path's re-run adds nothing after the other."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps

import pytest

from havenbeeld.imports import services
from havenbeeld.imports.models import ImportedRecord, ImportJob
from havenbeeld.imports.services import run_import, save_mapping, start_import
from havenbeeld.imports.tests.conftest import upload
from havenbeeld.registry.models import NameToken, Piece, RegistryObject
from havenbeeld.sharing.models import LegalBasis

pytestmark = pytest.mark.django_db

HEADER = "Naam;Handelsnaam;KvK;BTW;Opgericht;Straat;Huisnummer;Postcode;Plaats;Opmerking\n"
ROWS = (
    "Zuidkade Handel B.V.;Zuidkade;1234 5678;NL004495445B01;2001-05-04;Kade;12;3011 AB;"
    "Rotterdam;eerste\n"
    "Noordpier Cargo BV;;87654321;;14-02-1999;Pier;1a;3011AB;Rotterdam;\n"
    "\n"
    "Foute B.V.;;1234567;;2001-01-01;;;;Rotterdam;\n"  # KvK of seven digits
    "Toekomst B.V.;;99887766;;2999-01-01;;;;Rotterdam;\n"  # founded in the future
    "Zuidkade Handel B.V.;;12345678;;;;;;Schiedam;\n"  # the same key again: one object
    "B.V. Ankerplaats  Trading;Ankerplaats;11223344;;2010-10-10;Dok;7;3089 JH;Rotterdam;\n"
    "Ankerplaats Trading B.V.;Ankerplaats;11223344;;2010-10-10;Dok;7;3089 JH;Rotterdam;\n"
    "Kaai Één B.V.;;;;;;;;Vlissingen;\n"  # no key: the row's content is its key
    '=SOM(1);;55667788;;;;;;Moerdijk;\n'
    "Tweede Kaai B.V.;Tweede Kaai B.V.;22334455;;;;;;Moerdijk;\n"
)
CONTENT = HEADER + ROWS


@pytest.fixture
def mapping(world, request):
    distribution, group = "convenant", None
    if getattr(request, "param", "") == "group":
        from havenbeeld.sharing.models import CollaborationGroup

        group = CollaborationGroup.objects.create(name="Terminalbeveiliging")
        group.organisations.set([world.customs, world.terminal])
        distribution = "group"
    return save_mapping(
        actor=world.customs_analyst, name="Volledig", kind="company",
        columns={"Naam": "name", "Handelsnaam": "trade_name", "KvK": "identifier:kvk",
                 "BTW": "identifier:btw", "Opgericht": "founded", "Straat": "street",
                 "Huisnummer": "house_number", "Postcode": "postcode", "Plaats": "city",
                 "Opmerking": "note"},
        key_column="KvK", distribution=distribution, group=group,
        legal_basis=LegalBasis.objects.get(code="awr-douane"), reliability="A",
        credibility="2")


def _run(world, mapping, content, *, chunked, path, monkeypatch):
    monkeypatch.setattr(services, "WRITE_PATH", path)
    job = start_import(actor=world.customs_analyst, mapping=mapping,
                       uploaded=upload(content), chunked=chunked)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    job = run_import(job.pk)
    assert job.status == "done", job.message
    return job


def _counts() -> dict[str, int]:
    # The audit chain's head is one row made by the first event ever.
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if not model._meta.proxy and model._meta.label != "audit.ChainHead"}


def _snapshot(job: ImportJob) -> dict:
    """What an import wrote, with database ids replaced by row keys and idempotency keys."""
    row_key = dict(ImportedRecord.objects.filter(mapping=job.mapping)
                   .values_list("object_id", "row_key"))
    skip = {"id", "object", "recorded_at", "observed_at"}
    fields = [f for f in Piece._meta.concrete_fields if f.name not in skip]
    pieces = []
    for piece in Piece.objects.order_by("idempotency_key"):
        assert piece.observed_at == job.created_at
        pieces.append((row_key[piece.object_id],
                       *(getattr(piece, f.attname) for f in fields)))
    token_fields = [f for f in NameToken._meta.concrete_fields
                    if f.name not in ("id", "piece", "object_id")]
    tokens = sorted((row_key[t.object_id], t.piece.idempotency_key,
                     *(getattr(t, f.attname) for f in token_fields))
                    for t in NameToken.objects.select_related("piece"))
    errors = [(e.row_number, e.column, e.value, e.message, e.suggestion)
              for e in job.row_errors.order_by("row_number", "column")]
    kinds = sorted(RegistryObject.objects.values_list("kind", flat=True))
    totals = (job.processed_rows, job.committed_rows, job.created_objects,
              job.created_pieces, job.skipped_rows, job.error_rows)
    return {"pieces": pieces, "tokens": tokens, "records": sorted(row_key.values()),
            "errors": errors, "kinds": kinds, "totals": totals}


@pytest.mark.parametrize("mapping", ["convenant", "group"], indirect=True)
@pytest.mark.parametrize(("chunked", "chunk_rows"), [(False, 2000), (True, 2000), (True, 3),
                                                     (False, 3)])
def test_the_bulk_path_writes_what_the_model_path_writes(world, mapping, monkeypatch,
                                                         chunked, chunk_rows):
    monkeypatch.setattr(services, "CHUNK_ROWS", chunk_rows)
    start = _counts()
    orm_job = _run(world, mapping, CONTENT, chunked=chunked, path="orm",
                   monkeypatch=monkeypatch)
    after_orm = _counts()
    expected = _snapshot(orm_job)
    assert expected["totals"][2:] == (5, 35, 1, 3)  # objects, pieces, skipped, error rows
    assert len(expected["errors"]) == 3 and expected["tokens"]
    RegistryObject.objects.all().delete()  # its pieces, tokens and records go with it
    middle = _counts()
    bulk_job = _run(world, mapping, CONTENT, chunked=chunked, path="bulk",
                    monkeypatch=monkeypatch)
    after_bulk = _counts()
    assert _snapshot(bulk_job) == expected
    # Every table grew by as much on either path (nothing written that the other does not).
    grown_orm = {k: after_orm[k] - start[k] for k in start}
    grown_bulk = {k: after_bulk[k] - middle[k] for k in start}
    assert grown_bulk == grown_orm


@pytest.mark.parametrize(("first", "second"), [("orm", "bulk"), ("bulk", "orm"),
                                               ("bulk", "bulk")])
def test_a_rerun_on_either_path_adds_nothing_and_a_change_only_the_new_fact(
        world, mapping, monkeypatch, first, second):
    _run(world, mapping, CONTENT, chunked=True, path=first, monkeypatch=monkeypatch)
    before = _counts()
    again = _run(world, mapping, CONTENT, chunked=True, path=second, monkeypatch=monkeypatch)
    assert (again.created_objects, again.created_pieces, again.skipped_rows) == (0, 0, 7)
    assert {k: v for k, v in _counts().items() if not k.startswith(("imports.", "audit."))} \
        == {k: v for k, v in before.items() if not k.startswith(("imports.", "audit."))}
    changed = CONTENT.replace("Pier;1a;3011AB;Rotterdam", "Pier;1a;3011AB;Delft")
    job = _run(world, mapping, changed, chunked=False, path=second, monkeypatch=monkeypatch)
    assert (job.created_objects, job.created_pieces) == (0, 1)
    noordpier = Piece.objects.get(value_normalised="87654321").object
    assert set(noordpier.pieces.filter(property="city").values_list("value", flat=True)) == {
        "Rotterdam", "Delft"}


def test_a_provenance_that_no_longer_holds_is_reported_on_every_row_as_before(
        world, mapping, monkeypatch):
    mapping.legal_basis.active = False
    mapping.legal_basis.save()
    orm_job = _run(world, mapping, CONTENT, chunked=True, path="orm", monkeypatch=monkeypatch)
    bulk_job = _run(world, mapping, CONTENT, chunked=True, path="bulk",
                    monkeypatch=monkeypatch)
    orm, bulk = _snapshot(orm_job), _snapshot(bulk_job)
    assert not Piece.objects.exists()
    assert bulk["errors"] == orm["errors"] and bulk["totals"] == orm["totals"]
    assert bulk["totals"][5] == 10


def test_new_ids_never_reuse_those_of_removed_objects(world, mapping, monkeypatch):
    highest = (0, 0)
    for path in ("bulk", "bulk", "orm", "bulk"):
        _run(world, mapping, CONTENT, chunked=True, path=path, monkeypatch=monkeypatch)
        lowest = (RegistryObject.objects.order_by("pk").first().pk,
                  Piece.objects.order_by("pk").first().pk)
        assert lowest[0] > highest[0] and lowest[1] > highest[1], path
        highest = (RegistryObject.objects.order_by("-pk").first().pk,
                   Piece.objects.order_by("-pk").first().pk)
        RegistryObject.objects.all().delete()


@pytest.mark.parametrize("mapping", ["convenant", "group"], indirect=True)
@pytest.mark.parametrize("chunked", [True, False])
def test_the_pipelined_bulk_path_writes_what_the_model_path_writes(world, mapping, monkeypatch,
                                                                   pipelined, chunked):
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    expected = _snapshot(_run(world, mapping, CONTENT, chunked=chunked, path="orm",
                              monkeypatch=monkeypatch))
    RegistryObject.objects.all().delete()
    pipelined.clear()
    got = _snapshot(_run(world, mapping, CONTENT, chunked=chunked, path="bulk",
                         monkeypatch=monkeypatch))
    assert pipelined == [1]
    assert got == expected


def test_a_file_that_breaks_off_keeps_the_same_chunks_with_or_without_the_thread(
        world, mapping, monkeypatch, pipelined, csv_field_limit):
    """A read error in the thread surfaces where the chunk is asked for: the chunks before it
    are committed, exactly as when rows are read in turn."""
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    broken = CONTENT + "Late B.V.;;" + "9" * (csv_field_limit + 1) + ";;;;;;;\n"
    outcomes = []
    for vendors in ((), services.PIPELINE_VENDORS):
        monkeypatch.setattr(services, "PIPELINE_VENDORS", vendors)
        RegistryObject.objects.all().delete()
        job = start_import(actor=world.customs_analyst, mapping=mapping,
                           uploaded=upload(CONTENT), chunked=True)
        Path(job.file_path).write_text(broken, encoding="utf-8")  # broken after the check
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        job = run_import(job.pk)
        outcomes.append((job.status, job.committed_rows, job.message,
                         RegistryObject.objects.count(), Piece.objects.count()))
    assert pipelined == [1]
    assert outcomes[0] == outcomes[1]
    status, committed, message, objects, _pieces = outcomes[0]
    assert status == "failed" and committed == 10 and objects  # up to the chunk that breaks
    assert "13" in message


def test_the_preparation_thread_refuses_the_database(world):
    def items():
        yield 1
        RegistryObject.objects.count()
        yield 2

    got = []
    with pytest.raises(RuntimeError, match="does not use the database"):
        for item in services._ahead(items()):
            got.append(item)
    assert got == [1]


ODD = (
    "Naam;KvK;Plaats;Opmerking\n"
    + "".join(f"Vuller {i} B.V.;{30000000 + i};Rotterdam;{'x' * 60}{i}\n" for i in range(20))
    + 'Quote "B.V.";31000001;Den Haag;back\\slash \\u0000 and "quotes"\n'
    + "Émoji 🚢 Lijn N.V.;31000002;Vlissingen;line\u2028separator 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\n"
    + "Nul B.V.;31000003;Rotterdam;a\x00b\n"
    + "Ꭰ Cherokee ᏣᎳᎩ;31000004;Delfzijl;tab\there\n"
)


@pytest.mark.parametrize("key_column", ["KvK", "Opmerking"])
def test_text_of_every_kind_is_written_as_the_model_path_writes_it(world, monkeypatch,
                                                                   pipelined, key_column):
    """Quotes, backslashes, escapes written out, tabs, characters beyond the basic plane and
    line separators come back as the model path writes them: through SQLite's multi-row
    statements and PostgreSQL's ``COPY`` text (``bulk._copy_lines`` escapes them itself).
    SQLite also keeps a NUL in a row key; PostgreSQL stores no NUL in text at all."""
    from django.db import connection

    content = ODD
    if connection.vendor != "sqlite":
        content = "".join(line for line in ODD.splitlines(keepends=True) if "\x00" not in line)
    monkeypatch.setattr(services, "CHUNK_ROWS", 4)
    mapping = save_mapping(
        actor=world.customs_analyst, name="Vreemd", kind="company",
        columns={"Naam": "name", "KvK": "identifier:kvk", "Plaats": "city",
                 "Opmerking": "note"}, key_column=key_column, distribution="convenant",
        legal_basis=LegalBasis.objects.get(code="awr-douane"))
    expected = _snapshot(_run(world, mapping, content, chunked=True, path="orm",
                              monkeypatch=monkeypatch))
    RegistryObject.objects.all().delete()
    got = _snapshot(_run(world, mapping, content, chunked=True, path="bulk",
                         monkeypatch=monkeypatch))
    assert got == expected
    assert expected["totals"][2] == content.count("\n") - 1  # every row an object
    notes = Piece.objects.filter(property="note").values_list("value", flat=True)
    assert any("\\" in note for note in notes)  # control characters the registry drops
    if key_column == "Opmerking" and connection.vendor == "sqlite":
        assert any("\x00" in key for key in expected["records"])


def test_copy_text_writes_each_type_as_postgresql_reads_it():
    """``bulk._copy_field``: COPY's escapes, NULL, booleans, moments with their offset; a type
    it does not know leaves the rows to psycopg (``_copy_suffix`` is None)."""
    import datetime as dt
    from decimal import Decimal

    from havenbeeld.imports import bulk
    from havenbeeld.registry.models import Distribution

    moment = dt.datetime(2026, 11, 29, 12, 30, 5, 120, tzinfo=dt.UTC)
    assert bulk._copy_lines([(1, "a\tb\\c\nd\re", None, True, False)], "\tX\n") == (
        "1\ta\\tb\\\\c\\nd\\re\t\\N\tt\tf\tX\n")
    assert bulk._copy_suffix((moment, dt.date(2030, 1, 2), Distribution.CONVENANT)) == (
        "\t2026-11-29T12:30:05.000120+00:00\t2030-01-02\tconvenant\n")
    assert bulk._copy_suffix((Decimal("1.5"),)) is None


@pytest.mark.parametrize("odd", ["\t", "\n", "\r", "\\", "\\N", "\\t"])
@pytest.mark.parametrize("suffix", ["\tX\n", "\t\\\\\t\\N\n", "\n"])
def test_rows_of_plain_text_are_joined_as_they_are_and_escaped_where_they_must(odd, suffix):
    """``_copy_lines``' quick way (text and integers joined as they are) gives the text of
    the escaping one, whichever value of which row holds a character COPY escapes, and
    whatever the constants hold; a row of other types takes the escaping way."""
    from havenbeeld.imports import bulk
    from havenbeeld.registry.models import Property

    def escaped(rows):
        return "".join("\t".join(bulk._copy_field(v) for v in row) + suffix for row in rows)

    plain = [(n, f"naam {n}", "", "import:1:k:1234") for n in range(50)]
    assert bulk._copy_lines(plain, suffix) == escaped(plain)
    for row in (0, 17, 49):
        for column in (1, 2, 3):
            rows = list(plain)
            rows[row] = (*rows[row][:column], f"a{odd}b", *rows[row][column + 1:])
            assert bulk._copy_lines(rows, suffix) == escaped(rows)
    for other in (None, True, Property.NAME):
        rows = [*plain, (50, other, "", "x")]
        assert not bulk._plain(rows)
        assert bulk._copy_lines(rows, suffix) == escaped(rows)


def test_sqlite_rows_go_in_statements_within_its_variable_limit(world, mapping, monkeypatch):
    """SQLite's rows go in as multi-row statements of as many rows as SQLite binds variables
    for (the last of a table padded to a power of two and cut off by its limit): with a low
    limit, many statements, and still exactly what the model path writes."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on variables")
    expected = _snapshot(_run(world, mapping, CONTENT, chunked=True, path="orm",
                              monkeypatch=monkeypatch))
    RegistryObject.objects.all().delete()
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    statements: list[str] = []
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)  # two pieces, eight tokens
    raw.set_trace_callback(statements.append)
    try:
        got = _snapshot(_run(world, mapping, CONTENT, chunked=True, path="bulk",
                             monkeypatch=monkeypatch))
    finally:
        raw.set_trace_callback(None)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert got == expected
    pieces = [s for s in statements if s.startswith('INSERT INTO "registry_piece"')]
    assert len(pieces) == 18  # 35 pieces, two a statement (SQLite refuses more variables)


def test_a_row_s_facts_are_what_the_constructor_makes():
    """``row_to_facts`` makes its facts without ``Fact``'s constructor (``mapping._new_fact``):
    for every target of every kind, the same fact with every field."""
    from havenbeeld.imports.mapping import TARGETS, column_plan, row_to_facts
    from havenbeeld.imports.readers import Cell
    from havenbeeld.registry.services import Fact

    for targets in TARGETS.values():
        headers = list(targets)
        columns = {target: target for target in targets}
        cells = [Cell("2001-02-03" if target in ("founded", "dissolved", "birth_date")
                      else f"waarde {target}") for target in targets]
        facts, problems = row_to_facts(headers, cells, columns, column_plan(headers, columns))
        assert not problems and len(facts) == len(targets)
        for fact in facts:
            made = Fact(property=fact.property, value=fact.value, scheme=fact.scheme)
            assert type(fact) is Fact and vars(fact) == vars(made)


def _postgresql_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two connections write side by side on PostgreSQL only")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mapping", ["convenant"], indirect=True)
def test_two_connections_side_by_side_write_what_one_writes(world, mapping, monkeypatch):
    """PostgreSQL: every other chunk is written by a second connection while the next is
    prepared and written; a row key or a fact of one chunk repeated in the next (not yet
    committed) one is the same object and no second piece, and the totals are the same."""
    import threading

    _postgresql_only()
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    writers = []
    commit_chunk = services._commit_chunk

    def recorded(*args):
        writers.append(threading.current_thread().name)
        return commit_chunk(*args)

    monkeypatch.setattr(services, "_commit_chunk", recorded)
    monkeypatch.setattr(services, "SIDE_BY_SIDE", False)
    expected = _snapshot(_run(world, mapping, CONTENT, chunked=True, path="bulk",
                              monkeypatch=monkeypatch))
    assert set(writers) == {"MainThread"}
    RegistryObject.objects.all().delete()
    writers.clear()
    monkeypatch.setattr(services, "SIDE_BY_SIDE", True)
    got = _snapshot(_run(world, mapping, CONTENT, chunked=True, path="bulk",
                         monkeypatch=monkeypatch))
    assert writers[0].startswith("import-write") and "MainThread" in writers
    assert got == expected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failing_row", [2, 8])
def test_a_chunk_that_fails_beside_another_keeps_the_ones_after_it_out(
        world, monkeypatch, failing_row):
    """PostgreSQL, chunks written side by side: when one fails, the chunk after it — written
    at the same time by the other connection — is not committed, the job's mark stays at
    the last chunk before, and the import resumes there to the same end."""
    _postgresql_only()
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    content = "Naam;KvK;Plaats\n" + "".join(
        f"Bedrijf {i} B.V.;{40000000 + i};Rotterdam\n" for i in range(12))
    failing_key = f"k:{40000000 + failing_row - 2}"
    write = services._write

    def failing(job, batch):
        write(job, batch)
        if any(key == failing_key for key, _obj in batch.records):
            raise OSError("the disk is full")

    monkeypatch.setattr(services, "_write", failing)
    mapping = save_mapping(
        actor=world.customs_analyst, name="Kort", kind="company",
        columns={"Naam": "name", "KvK": "identifier:kvk", "Plaats": "city"}, key_column="KvK",
        distribution="convenant", legal_basis=LegalBasis.objects.get(code="awr-douane"))
    job = start_import(actor=world.customs_analyst, mapping=mapping, uploaded=upload(content),
                       chunked=True)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    job = run_import(job.pk)
    assert (job.status, job.committed_rows) == ("failed", failing_row - 1 if failing_row > 2
                                                else 0)
    assert "the disk is full" in job.message
    assert RegistryObject.objects.count() == failing_row - 2
    monkeypatch.setattr(services, "_write", write)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    job = run_import(job.pk)
    assert (job.status, job.created_objects) == ("done", 12)
    assert RegistryObject.objects.count() == 12
    assert Piece.objects.count() == 36 == len(set(
        Piece.objects.values_list("idempotency_key", flat=True)))
