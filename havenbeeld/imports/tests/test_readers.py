"""Reading tables: encodings, delimiters, XLSX, disguised and broken files."""

from __future__ import annotations

import codecs
import io

import pytest
from openpyxl import Workbook

from havenbeeld.imports.readers import UnreadableFile, table_from_bytes

TEXT = "Naam;Plaats\nCafé Ñandú B.V.;Rotterdam\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("latin-1"), "cp1252"),
    (TEXT.encode("cp1252"), "cp1252"),
])
def test_common_encodings_are_read_correctly(tmp_path, data, encoding):
    table = table_from_bytes(data, tmp_path)
    assert table.encoding == encoding
    assert table.headers == ["Naam", "Plaats"]
    assert [c.value for c in next(table.rows)] == ["Café Ñandú B.V.", "Rotterdam"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_detected(tmp_path, delimiter):
    data = f"Naam{delimiter}KvK\n\"Haven, Kade & Co\"{delimiter}12345678\n".encode()
    table = table_from_bytes(data, tmp_path)
    assert table.delimiter == delimiter
    assert [c.value for c in next(table.rows)] == ["Haven, Kade & Co", "12345678"]


def test_xlsx_is_read_by_content_and_formulas_are_marked(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Naam", "KvK"])
    sheet.append(["Zuidkade B.V.", 12345678])
    sheet.append(['=HYPERLINK("http://evil.example","klik")', "87654321"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = table_from_bytes(buffer.getvalue(), tmp_path)  # saved as "upload.bin"
    assert table.kind == "xlsx"
    rows = list(table.rows)
    assert [c.value for c in rows[0]] == ["Zuidkade B.V.", "12345678"]
    assert rows[1][0].is_formula


@pytest.mark.parametrize(("data", "fragment"), [
    (b"", "empty"),
    (b"%PDF-1.7 not a table", "something else"),
    (b"MZ\x90\x00binary", "something else"),
    (b"PK\x03\x04" + b"\x00" * 100, "not a CSV or XLSX"),
    (b"Naam;Naam\nx;y\n", "twice"),
    (b"\x00\x01\x02\x03" * 100, "binary"),
])
def test_unreadable_files_are_refused_with_a_reason(tmp_path, data, fragment, settings):
    from django.utils import translation

    with translation.override("en"), pytest.raises(UnreadableFile) as caught:
        table = table_from_bytes(data, tmp_path)
        list(table.rows)
    assert fragment in caught.value.message


@pytest.mark.parametrize("data", [
    b"Naam;KvK\nA;1\n\nB;2\n;\n\"C\nD\";3\n",
    b"Naam;KvK\n",
    "Naam;KvK\nCafé;1\n".encode("utf-16"),
])
def test_counting_rows_counts_what_reading_them_yields(tmp_path, data):
    """``count_rows`` (the upload's check) skips building cells, not rows: blank rows and
    quoted line breaks count as reading them does."""
    expected = len(list(table_from_bytes(data, tmp_path).rows))
    assert table_from_bytes(data, tmp_path).count_rows() == expected


def test_counting_the_rows_of_a_broken_csv_reports_where_it_breaks(tmp_path, csv_field_limit):
    from django.utils import translation

    data = b"Naam;KvK\nA;1\n" + b"B" * (csv_field_limit + 1) + b";2\n"
    with translation.override("en"):
        with pytest.raises(UnreadableFile) as counted:
            table_from_bytes(data, tmp_path).count_rows()
        with pytest.raises(UnreadableFile) as read:
            list(table_from_bytes(data, tmp_path).rows)
    assert counted.value.message == read.value.message
    assert "breaks off at line 3" in counted.value.message


def test_counting_the_rows_of_an_xlsx_file(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Naam", "KvK"])
    for number in range(5):
        sheet.append([f"Bedrijf {number}", 12345678 + number])
    buffer = io.BytesIO()
    book.save(buffer)
    assert table_from_bytes(buffer.getvalue(), tmp_path).count_rows() == 5
