"""The import pages: mapping in two steps, upload → check → start → report, error CSV."""

from __future__ import annotations

import pytest

from havenbeeld.core.testing import verified_client
from havenbeeld.imports.models import ColumnMapping, ImportJob
from havenbeeld.imports.tests.conftest import COMPANIES, upload
from havenbeeld.sharing.models import LegalBasis

pytestmark = pytest.mark.django_db


def test_a_mapping_is_made_from_an_example_file(world):
    client = verified_client(world.customs_analyst)
    response = client.post("/importeren/koppelingen/nieuw/", {
        "name": "Importeurs", "kind": "company", "sample": upload(COMPANIES)})
    assert response.status_code == 302
    page = client.get("/importeren/koppelingen/kolommen/").content.decode()
    assert "KvK-nummer" in page and "Opgericht" in page
    response = client.post("/importeren/koppelingen/kolommen/", {
        "column_0": "name", "column_1": "identifier:kvk", "column_2": "founded",
        "column_3": "city", "column_4": "ignore", "key_column": "KvK-nummer",
        "distribution": "convenant", "legal_basis": LegalBasis.objects.get(code="awr-douane").pk,
        "reliability": "A", "credibility": "2"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    mapping = ColumnMapping.objects.get(name="Importeurs")
    assert mapping.columns["KvK-nummer"] == "identifier:kvk"
    assert mapping.organisation == world.customs


def test_upload_check_start_and_report(world, company_mapping, django_capture_on_commit_callbacks):
    client = verified_client(world.customs_analyst)
    response = client.post("/importeren/", {"mapping": company_mapping.pk,
                                            "file": upload(COMPANIES + "X;1;2001-01-01;R;\n")})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    check = client.get(f"/importeren/{job.pk}/").content.decode()
    assert "Zuidkade Handel B.V." in check
    assert 'data-testid="preview-problems"' in check
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/importeren/{job.pk}/starten/")
    report = client.get(f"/importeren/{job.pk}/").content.decode()
    assert 'data-testid="import-report"' in report
    job.refresh_from_db()
    assert job.created_objects == 3 and job.error_rows == 1
    errors_csv = b"".join(client.get(f"/importeren/{job.pk}/fouten.csv").streaming_content)
    assert b"5;KvK-nummer;1;" in errors_csv


def test_the_progress_fragment_for_htmx(world, company_mapping):
    client = verified_client(world.customs_analyst)
    client.post("/importeren/", {"mapping": company_mapping.pk, "file": upload(COMPANIES)})
    job = ImportJob.objects.get()
    job.status = "running"
    job.processed_rows = 1
    job.save()
    fragment = client.get(f"/importeren/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="import-progress"')
    assert 'hx-trigger="every 1s"' in fragment and 'value="33"' in fragment


def test_other_organisations_cannot_see_an_import(world, company_mapping):
    client = verified_client(world.customs_analyst)
    client.post("/importeren/", {"mapping": company_mapping.pk, "file": upload(COMPANIES)})
    job = ImportJob.objects.get()
    assert verified_client(world.police_analyst).get(f"/importeren/{job.pk}/").status_code == 404


def test_a_disguised_file_gets_a_clear_message(world, company_mapping):
    client = verified_client(world.customs_analyst)
    response = client.post("/importeren/", {"mapping": company_mapping.pk,
                                            "file": upload(b"%PDF-1.4 ...", "bedrijven.csv")})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_exported_error_values_are_safe_against_formula_injection():
    from havenbeeld.core.exports import safe_cell

    assert safe_cell('=HYPERLINK("http://x")') == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("+31 10 123") == "'+31 10 123"
    assert safe_cell("Zuidkade") == "Zuidkade"
