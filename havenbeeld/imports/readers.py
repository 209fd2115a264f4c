"""Reading uploaded tables: CSV (any common encoding and delimiter) and XLSX, streamed.

The file type is decided by content, not by extension: an XLSX file is a ZIP archive holding
``[Content_Types].xml``; anything else must be text. CSV encodings: a byte-order mark decides
(UTF-8, UTF-16 LE/BE); otherwise UTF-8 if the sample decodes, else Windows-1252 (which covers
Latin-1 as written by Excel). The delimiter is sniffed among comma, semicolon and tab.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
MAX_COLUMNS = 200
MAX_CELL = 5000


class UnreadableFile(ValueError):
    """The file cannot be read as a table; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Cell(NamedTuple):
    """One cell's text (a tuple: a file has millions of them)."""

    value: str
    is_formula: bool = False


_new_tuple = tuple.__new__


def _plain(value: str) -> Cell:
    """``Cell(value)`` without the named tuple's Python-level constructor (a third of the cost
    of reading a CSV row went into it)."""
    return _new_tuple(Cell, (value, False))


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    encoding: str
    delimiter: str
    headers: list[str]
    rows: Iterator[list[Cell]]  # data rows, without the header row
    # Counts the data rows instead of reading them as cells (consumes ``rows``), if the
    # format can do that quicker; ``count_rows`` falls back to reading them.
    counter: Callable[[], int] | None = None

    def count_rows(self) -> int:
        """How many data rows ``rows`` yields (blank rows included), reading the rest of the
        file; a broken file raises ``UnreadableFile`` as reading its rows would."""
        if self.counter is not None:
            return self.counter()
        return sum(1 for _row in self.rows)


def _looks_like_xlsx(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _headers(raw: list[str]) -> list[str]:
    headers = [h.strip().lstrip("\ufeff") for h in raw]
    if not any(headers):
        raise UnreadableFile(_("The first row must hold the column names; it is empty."))
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(_("The file has more than %(max)d columns.") % {"max": MAX_COLUMNS})
    seen = set()
    for header in headers:
        if header and header in seen:
            raise UnreadableFile(_("Column %(name)s appears twice in the first row.")
                                 % {"name": header})
        seen.add(header)
    return headers


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample[:1000]:
        raise UnreadableFile(_("This file is not a CSV or XLSX table (it contains binary "
                               "data)."))
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the end of the sample is still UTF-8.
        if exc.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(",;\t", key=first.count)


def _csv(path: Path) -> Table:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise UnreadableFile(_("The file is empty."))
    encoding = detect_encoding(sample)
    try:
        text_sample = sample.decode(encoding, errors="strict" if encoding != "cp1252"
                                    else "replace")
    except UnicodeDecodeError:
        text_sample = sample.decode(encoding, errors="ignore")
    delimiter = _delimiter(text_sample[:8192])
    handle = path.open("r", encoding=encoding, errors="replace", newline="")
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        headers = _headers(next(reader))
    except StopIteration:
        handle.close()
        raise UnreadableFile(_("The file is empty.")) from None
    except csv.Error as exc:
        handle.close()
        raise UnreadableFile(_("The file is not a valid CSV file: %(error)s")
                             % {"error": exc}) from None

    def broken(exc: csv.Error) -> UnreadableFile:
        return UnreadableFile(_("The CSV file breaks off at line %(line)d: %(error)s")
                              % {"line": reader.line_num, "error": exc})

    def rows() -> Iterator[list[Cell]]:
        with handle:
            try:
                for row in reader:
                    if not "".join(row).strip():
                        yield []
                        continue
                    yield [_plain(cell[:MAX_CELL]) for cell in row]
            except csv.Error as exc:
                raise broken(exc) from None

    def count() -> int:
        with handle:
            try:
                return sum(1 for _row in reader)
            except csv.Error as exc:
                raise broken(exc) from None

    return Table("csv", encoding, delimiter, headers, rows(), count)


def _xlsx_value(cell: object) -> Cell:
    value = getattr(cell, "value", None)
    if value is None:
        return Cell("")
    if getattr(cell, "data_type", "") == "f" or (isinstance(value, str)
                                                  and value.startswith("=")):
        return Cell(str(value)[:MAX_CELL], is_formula=True)
    if hasattr(value, "date") and hasattr(value, "hour"):  # datetime
        return Cell(value.date().isoformat() if value.hour == value.minute == 0
                    else value.isoformat())
    if hasattr(value, "isoformat"):
        return Cell(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return Cell(str(int(value)))
    return Cell(str(value)[:MAX_CELL])


def _xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    handle = path.open("rb")  # a file object: openpyxl would otherwise judge by extension
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        handle.close()
        raise UnreadableFile(_("The XLSX file cannot be opened: %(error)s")
                             % {"error": exc.__class__.__name__}) from None
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows()
    try:
        header_cells = next(rows_iter)
    except StopIteration:
        workbook.close()
        handle.close()
        raise UnreadableFile(_("The file is empty.")) from None
    headers = _headers([_xlsx_value(c).value for c in header_cells])

    def rows() -> Iterator[list[Cell]]:
        try:
            for row in rows_iter:
                cells = [_xlsx_value(c) for c in row]
                yield cells if any(c.value.strip() for c in cells) else []
        finally:
            workbook.close()
            handle.close()

    return Table("xlsx", "", "", headers, rows())


def open_table(path: Path) -> Table:
    """Open ``path`` as a table, by its content. Raises ``UnreadableFile``."""
    if _looks_like_xlsx(path):
        return _xlsx(path)
    if zipfile.is_zipfile(path):
        raise UnreadableFile(_("This is a ZIP archive, not a CSV or XLSX table. Archives are "
                               "not accepted."))
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"%PDF", b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\x89PNG",
                        b"\xff\xd8\xff", b"GIF8")):
        raise UnreadableFile(_("This file is not a CSV or XLSX table (its content says it is "
                               "something else)."))
    return _csv(path)


def table_from_bytes(data: bytes, tmp_dir: Path) -> Table:
    """Helper for tests and small inputs."""
    path = tmp_dir / "upload.bin"
    path.write_bytes(data)
    return open_table(path)


__all__ = ["Cell", "Table", "UnreadableFile", "open_table", "table_from_bytes"]
