"""Signals from a file, and the administrators' lists of themes and common values."""

from __future__ import annotations

from django.core.management import CommandError, call_command
from django.utils.timezone import localtime

import pytest

from havenbeeld.core.testing import verified_client
from havenbeeld.signals.models import CommonValue, Correlation, Signal, Theme

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ("theme;port;title;description;observed_at;distribution;legal_basis;"
          "container_number;vehicle_registration;company_name;company_kvk\n")


def _file(tmp_path, rows, encoding="utf-8", name="signalen.csv"):
    path = tmp_path / name
    path.write_bytes((HEADER + "".join(rows)).encode(encoding))
    return path


def test_a_file_reports_a_signal_per_row_and_a_rerun_adds_nothing(world, port, tmp_path):
    path = _file(tmp_path, [
        "uithalers;rotterdam;Uithaler stack 3;Gezien om 02:00;2026-11-01;convenant;wgs;"
        "MSCU 123456 6;XB-123-Z;;\n",
        "drugs;rotterdam;Vreemde boeking;;01-10-2026;convenant;wgs;MSCU1234566;;"
        "Kaaiwacht Logistiek B.V.;12345678\n",
        "ufo;rotterdam;Onbekend thema;;;convenant;wgs;;;;\n",
        "drugs;rotterdam;Fout containernummer;;;convenant;wgs;MSCU 123456 5;;;\n",
        "drugs;rotterdam;Formule;=HYPERLINK(\"x\");;convenant;wgs;;;;\n",
    ], encoding="cp1252")
    from havenbeeld.signals.files import import_file

    report = import_file(actor=world.terminal_contributor, path=path)
    assert (report.rows, len(report.created), report.already) == (5, 2, 0)
    assert [e.row for e in report.errors] == [4, 5, 6]
    assert "MSCU 123456 6" in report.errors[1].message
    first, second = Signal.objects.order_by("pk")
    assert first.channel == "file"
    assert localtime(first.observed_at).date().isoformat() == "2026-11-01"
    assert Correlation.objects.filter(signal=first, other_signal=second).exists()
    again = import_file(actor=world.terminal_contributor, path=path)
    assert (len(again.created), again.already) == (0, 2) and Signal.objects.count() == 2


def test_the_command_and_the_page_take_a_file(world, port, tmp_path):
    path = _file(tmp_path, ["uithalers;rotterdam;Per commando;;;convenant;wgs;;XB-1-Z;;\n"])
    call_command("signals", "import", "--file", str(path), "--user",
                 world.terminal_contributor.email)
    assert Signal.objects.count() == 1
    bad = _file(tmp_path, ["x\n"], name="kapot.csv")
    bad.write_text("kolom;andere\n1;2\n")
    with pytest.raises(CommandError, match="kolom"):
        call_command("signals", "import", "--file", str(bad), "--user",
                     world.terminal_contributor.email)
    client = verified_client(world.terminal_contributor)
    page_file = _file(tmp_path, ["drugs;rotterdam;Via de pagina;;;convenant;wgs;;XB-2-Z;;\n"],
                      name="pagina.csv")
    with page_file.open("rb") as handle:
        response = client.post("/signalen/bestand/", {"file": handle})
    assert response.status_code == 200 and b"file-report" in response.content
    assert Signal.objects.count() == 2
    zipped = tmp_path / "archief.csv"
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with zipped.open("rb") as handle:
        assert client.post("/signalen/bestand/", {"file": handle}).status_code == 400


def test_administrators_keep_themes_and_common_values(world, port):
    admin = verified_client(world.platform_admin)
    assert admin.get("/beheer/referentie/themas/").status_code == 200
    response = admin.post("/beheer/referentie/veelvoorkomende-waarden/nieuw/", {
        "kind": "identifier", "scheme": "address", "value": "3089 JB 10",
        "reason": "Hoofdkantoor rederij", "active": "on"})
    assert response.status_code == 302
    assert CommonValue.objects.get(reason="Hoofdkantoor rederij").value_normalised
    refused = admin.post("/beheer/referentie/veelvoorkomende-waarden/nieuw/", {
        "kind": "identifier", "scheme": "container", "value": "MSCU 123456 5",
        "active": "on"})
    assert refused.status_code == 400
    admin.post("/beheer/referentie/themas/nieuw/", {"code": "wapens", "name": "Wapenhandel",
                                                     "order": "95", "active": "on"})
    assert Theme.objects.filter(code="wapens").exists()
    assert verified_client(world.police_analyst).get(
        "/beheer/referentie/themas/").status_code == 403


def test_a_signal_file_over_the_size_limit_is_refused(world, port, tmp_path, settings):
    settings.IMPORT_MAX_MB = 1
    big = tmp_path / "groot.csv"
    big.write_bytes(HEADER.encode() + b"x" * (2 * 1024 * 1024))
    with big.open("rb") as handle:
        response = verified_client(world.terminal_contributor).post("/signalen/bestand/",
                                                                     {"file": handle})
    assert response.status_code == 400 and not Signal.objects.exists()


TERMINAL_EXPORT = ("Datum;Containernr;Omschrijving;Interne code\n"
                   "03-11-2026;MSCU 123456 6;Uithaler aangetroffen bij stack 3;A-17\n"
                   "04-11-2026;MSCU1234566;Tweede keer dezelfde container;A-18\n")


def test_a_saved_column_mapping_reads_a_partners_own_export(world, port, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(TERMINAL_EXPORT, encoding="utf-8")
    client = verified_client(world.terminal_contributor)
    lines = ("Datum = observed_at\ncontainernr = container_number\n"
             "Omschrijving = title\nInterne code = -\n")
    saved = client.post("/signalen/bestand/indelingen/", {
        "name": "Kaaiwacht export", "columns": lines, "theme": "uithalers",
        "port": "rotterdam", "distribution": "convenant", "legal_basis": "wgs"})
    assert saved.status_code == 302
    listing = client.get("/signalen/bestand/indelingen/").content.decode()
    assert "Kaaiwacht export" in listing and "container_number" in listing
    # Without the mapping the file is refused, naming its columns; with it, read.
    with path.open("rb") as handle:
        refused = client.post("/signalen/bestand/", {"file": handle})
    assert refused.status_code == 400 and "Containernr" in refused.content.decode()
    with path.open("rb") as handle:
        done = client.post("/signalen/bestand/", {"file": handle,
                                                  "mapping": "Kaaiwacht export"})
    assert done.status_code == 200 and b"file-report" in done.content
    first, second = Signal.objects.order_by("pk")
    assert (first.theme.code, first.port.slug, first.distribution) == ("uithalers", "rotterdam",
                                                                       "convenant")
    assert first.title == "Uithaler aangetroffen bij stack 3"
    assert localtime(first.observed_at).date().isoformat() == "2026-11-03"
    assert Correlation.objects.filter(signal=second, other_signal=first).exists()
    # The command takes it by name; a re-run adds nothing.
    call_command("signals", "import", "--file", str(path), "--user",
                 world.terminal_contributor.email, "--mapping", "Kaaiwacht export")
    assert Signal.objects.count() == 2


def test_column_mappings_are_checked_and_kept_per_organisation(world, port, tmp_path):
    from havenbeeld.signals import files
    from havenbeeld.signals.models import FileMapping

    client = verified_client(world.terminal_contributor)
    for lines, message in (("Datum observed_at", "(Datum observed_at)"),
                           ("Datum = wanneer", "wanneer"),
                           ("Datum = observed_at\ndatum = title", " datum "),
                           ("A = title\nB = title", "title")):
        response = client.post("/signalen/bestand/indelingen/", {"name": "Fout",
                                                                "columns": lines})
        body = response.content.decode()
        alert = body[body.index("utrecht-alert--error"):].split("</p>")[0]
        assert response.status_code == 400 and message in alert
    assert not FileMapping.objects.exists()
    mapping = files.save_mapping(actor=world.terminal_contributor, name="Eigen",
                                 columns={"datum": "observed_at"}, defaults={})
    with pytest.raises(files.SignalFileError):  # the name is the organisation's own
        files.save_mapping(actor=world.terminal_contributor, name="Eigen", columns={},
                           defaults={})
    # Another organisation neither sees, uses nor changes it.
    other = verified_client(world.customs_analyst)
    assert other.get(f"/signalen/bestand/indelingen/{mapping.pk}/").status_code == 404
    assert "Eigen" not in other.get("/signalen/bestand/indelingen/").content.decode()
    with pytest.raises(CommandError, match="Eigen"):
        call_command("signals", "import", "--file", str(_file(tmp_path, [])), "--user",
                     world.customs_analyst.email, "--mapping", "Eigen")
    # Its own organisation changes and removes it.
    changed = client.post(f"/signalen/bestand/indelingen/{mapping.pk}/",
                          {"name": "Eigen export", "columns": "datum = observed_at"})
    assert changed.status_code == 302
    assert FileMapping.objects.get().name == "Eigen export"
    client.post(f"/signalen/bestand/indelingen/{mapping.pk}/", {"delete": "1"})
    assert not FileMapping.objects.exists()
