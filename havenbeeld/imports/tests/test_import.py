"""Import: check, run, idempotency, atomicity, chunks that resume, cancel, per-row errors."""

from __future__ import annotations

import pytest

from havenbeeld.imports.models import ImportJob
from havenbeeld.imports.services import (
    ImportError_,
    cancel_import,
    preview,
    queue_import,
    run_import,
    start_import,
)
from havenbeeld.imports.tests.conftest import COMPANIES, upload
from havenbeeld.registry.models import Piece, RegistryObject
from havenbeeld.registry.search import search

pytestmark = pytest.mark.django_db


def run(world, mapping, content, *, chunked=None, name="bedrijven.csv"):
    job = start_import(actor=world.customs_analyst, mapping=mapping,
                       uploaded=upload(content, name), chunked=chunked)
    assert job.total_rows > 0
    job.status = ImportJob.Status.QUEUED
    job.save()
    return run_import(job.pk)


def test_a_file_becomes_objects_with_pieces_carrying_the_mappings_provenance(
        world, company_mapping):
    job = run(world, company_mapping, COMPANIES)
    assert job.status == "done", job.message
    assert (job.created_objects, job.error_rows) == (3, 0)
    piece = Piece.objects.get(property="identifier", value_normalised="12345678")
    assert piece.organisation == world.customs
    assert piece.legal_basis.code == "awr-douane"
    assert piece.source == "import"
    assert Piece.objects.get(property="founded", object=piece.object).value == "2001-05-04"
    assert [h.label for h in search(world.police_analyst, "noordpier")] == ["Noordpier Cargo BV"]


def test_importing_the_same_file_twice_adds_nothing(world, company_mapping):
    run(world, company_mapping, COMPANIES)
    before = (RegistryObject.objects.count(), Piece.objects.count())
    second = run(world, company_mapping, COMPANIES)
    assert (RegistryObject.objects.count(), Piece.objects.count()) == before
    assert second.skipped_rows == 3 and second.created_pieces == 0


def test_a_changed_row_adds_only_the_new_fact_to_the_same_object(world, company_mapping):
    run(world, company_mapping, COMPANIES)
    changed = COMPANIES.replace("Zuidkade Handel B.V.;1234 5678;2001-05-04;Rotterdam",
                                "Zuidkade Handel B.V.;12345678;2001-05-04;Schiedam")
    job = run(world, company_mapping, changed)
    assert job.created_objects == 0 and job.created_pieces == 1
    company = Piece.objects.get(value_normalised="12345678").object
    assert set(company.pieces.filter(property="city").values_list("value", flat=True)) == {
        "Rotterdam", "Schiedam"}


def test_rows_with_errors_are_reported_with_their_row_number_and_skipped_whole(
        world, company_mapping):
    content = COMPANIES + ("Foute B.V.;1234567;2001-01-01;Rotterdam;\n"
                           "Toekomst B.V.;99887766;2999-01-01;Rotterdam;\n"
                           '=HYPERLINK("http://x");55667788;2001-01-01;Rotterdam;\n')
    job = run(world, company_mapping, content)
    errors = {e.row_number: e for e in job.row_errors.all()}
    assert set(errors) == {5, 6, 7}
    assert "8" in errors[5].message  # KvK has 8 digits
    assert "formule" in errors[7].message or "formula" in errors[7].message
    assert job.error_rows == 3 and job.created_objects == 3
    assert not Piece.objects.filter(value__startswith="Foute").exists()
    assert not Piece.objects.filter(value__startswith="Toekomst").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1"])
def test_encodings_and_delimiters_import_the_same(world, company_mapping, encoding):
    content = COMPANIES.replace("Zuidkade", "Zuidkadé").replace(";", ",")
    job = run(world, company_mapping, content.encode(encoding))
    assert job.created_objects == 3
    assert Piece.objects.filter(value="Zuidkadé Handel B.V.").exists()


def test_a_file_missing_mapped_columns_is_refused_before_anything_is_stored(
        world, company_mapping):
    with pytest.raises(ImportError_) as caught:
        start_import(actor=world.customs_analyst, mapping=company_mapping,
                     uploaded=upload("Naam;Plaats\nA;B\n"))
    assert "KvK-nummer" in caught.value.message
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("content", "name"), [
    (b"%PDF-1.4 fake", "bedrijven.csv"),
    (b"Naam;KvK-nummer;Opgericht;Plaats\n", "bedrijven.csv"),
    (b"", "leeg.csv"),
])
def test_files_that_are_not_what_they_claim_or_empty_are_refused(world, company_mapping,
                                                                 content, name):
    with pytest.raises(ImportError_):
        start_import(actor=world.customs_analyst, mapping=company_mapping,
                     uploaded=upload(content, name))
    assert not ImportJob.objects.exists()


def test_files_over_the_size_limit_are_refused(world, company_mapping, settings):
    settings.IMPORT_MAX_MB = 1
    big = COMPANIES + ("Groot B.V.;12345678;2001-01-01;Rotterdam;" + "x" * 100 + "\n") * 12000
    with pytest.raises(ImportError_) as caught:
        start_import(actor=world.customs_analyst, mapping=company_mapping, uploaded=upload(big))
    assert "1 MB" in caught.value.message


def test_preview_shows_rows_and_problems_without_writing(world, company_mapping):
    job = start_import(actor=world.customs_analyst, mapping=company_mapping,
                       uploaded=upload(COMPANIES + "X;123;2001-01-01;R;\n"))
    result = preview(job)
    assert result.rows[0][0] == "Zuidkade Handel B.V."
    assert [n for n, _p in result.problems] == [5]
    assert result.unmapped_columns == ["Opmerking"]
    assert not RegistryObject.objects.exists()


@pytest.mark.parametrize("thread", [False, True])
def test_a_large_file_commits_in_chunks_and_resumes_where_it_stopped(
        world, company_mapping, monkeypatch, request, thread):
    from havenbeeld.imports import services

    if thread:  # the next chunk prepared while the current one is written
        request.getfixturevalue("pipelined")
    monkeypatch.setattr(services, "CHUNK_ROWS", 10)
    lines = ["Naam;KvK-nummer;Opgericht;Plaats;Opmerking"] + [
        f"Bedrijf {i} B.V.;{10000000 + i};2001-01-01;Rotterdam;" for i in range(35)]
    job = start_import(actor=world.customs_analyst, mapping=company_mapping,
                       uploaded=upload("\n".join(lines) + "\n"), chunked=True)
    job.status = ImportJob.Status.QUEUED
    job.save()
    # Simulate a crash after the second chunk.
    original = services._write
    calls = {"n": 0}

    def crash_on_third(job_arg, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("worker killed")
        original(job_arg, batch)

    monkeypatch.setattr(services, "_write", crash_on_third)
    failed = run_import(job.pk)
    assert failed.status == "failed"
    assert RegistryObject.objects.count() == 20 and failed.committed_rows == 21
    monkeypatch.setattr(services, "_write", original)
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    done = run_import(job.pk)
    assert done.status == "done"
    assert RegistryObject.objects.count() == 35


def test_cancelling_an_all_or_nothing_import_keeps_nothing(world, company_mapping):
    job = start_import(actor=world.customs_analyst, mapping=company_mapping,
                       uploaded=upload(COMPANIES))
    job.status = ImportJob.Status.QUEUED
    job.save()
    cancel_import(actor=world.customs_analyst, job=job)
    result = run_import(job.pk)
    assert result.status == "cancelled"
    assert "Nothing" in result.message or "Niets" in result.message
    assert not RegistryObject.objects.exists()


def test_queueing_runs_the_import_in_the_background_task(world, company_mapping,
                                                          django_capture_on_commit_callbacks):
    job = start_import(actor=world.customs_analyst, mapping=company_mapping,
                       uploaded=upload(COMPANIES))
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(actor=world.customs_analyst, job=job)
    job.refresh_from_db()
    assert job.status == "done" and job.created_objects == 3
    with pytest.raises(ImportError_):
        queue_import(actor=world.customs_analyst, job=job)


def test_readers_cannot_import(world, company_mapping):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_import(actor=world.municipal_reader, mapping=company_mapping,
                     uploaded=upload(COMPANIES))


def test_the_import_command_does_the_same(world, company_mapping, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "bedrijven.csv"
    path.write_text(COMPANIES, encoding="utf-8")
    call_command("import", str(path), "--mapping", "Douane importeurs",
                 "--user", "analist@douane.example")
    call_command("import", str(path), "--mapping", "Douane importeurs",
                 "--user", "analist@douane.example")
    out = capsys.readouterr().out
    assert "3 objects" in out and "3 rows already imported" in out
    assert RegistryObject.objects.count() == 3


def test_imported_objects_are_matched_after_the_file_is_in(world, company_mapping,
                                                           django_capture_on_commit_callbacks):
    from havenbeeld.registry.models import ObjectKind, Property, Source
    from havenbeeld.registry.services import Fact, Provenance, create_object
    from havenbeeld.resolution.models import MatchPair
    from havenbeeld.sharing.models import Distribution, LegalBasis

    with django_capture_on_commit_callbacks(execute=True):
        police = create_object(
            actor=world.police_analyst, kind=ObjectKind.COMPANY,
            facts=[Fact(Property.NAME, "Zuidkade Handel"),
                   Fact(Property.IDENTIFIER, "12345678", scheme="kvk")],
            provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                  LegalBasis.objects.get(code="wpg")))
    with django_capture_on_commit_callbacks(execute=True):
        run(world, company_mapping, COMPANIES)
    imported = Piece.objects.get(organisation=world.customs, value_normalised="12345678").object
    pair = MatchPair.objects.get()
    assert {pair.left_id, pair.right_id} == {police.pk, imported.pk}
