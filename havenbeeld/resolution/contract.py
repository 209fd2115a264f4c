"""The resolve-file contract: records from a CSV file in, ``record_id,cluster_id`` out.

Input columns (any order, all optional but ``record_id``; extra columns ignored): ``record_id``,
``source``, ``entity_type`` (person/company), ``name``, ``first_name``, ``last_name``,
``birth_date``, ``founded``, ``street``, ``house_number``, ``postcode``, ``city``, ``country``,
``identifiers`` (``scheme:value;scheme:value``). The file is read as a stream in UTF-8 (with or
without BOM), UTF-16 (with BOM) or Latin-1, comma, semicolon or tab separated. Every input record
gets a line in the output, also records with nothing to match on (they form a cluster of their
own). The output is written to a temporary file and moved into place only when complete.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from havenbeeld.resolution.features import Record, parse_identifiers

COLUMNS = ("record_id", "source", "entity_type", "name", "first_name", "last_name",
           "birth_date", "founded", "street", "house_number", "postcode", "city", "country",
           "identifiers")
MAX_FIELD = 10_000
# One machine holds the features of every record while it links them (about 1.5 KB each):
# files beyond these limits are refused up front rather than running out of memory halfway.
MAX_RECORDS = 3_000_000
MAX_BYTES = 1024 ** 3


class ContractError(ValueError):
    """A file that cannot be read as the contract says, with a message in the user's language."""


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut off at the end of the sample
            return "latin-1"
    return "utf-8"


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as raw:
        head = raw.read(65536)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ContractError(_("The file is not a text (CSV) file."))
    return path.open(encoding=_encoding(head), newline="", errors="replace")


def read_records(path: Path) -> Iterator[Record]:
    """Stream the records of a contract file; raises ``ContractError`` on a broken file."""
    if not path.is_file():
        raise ContractError(_("File %(path)s does not exist.") % {"path": path})
    if path.stat().st_size > MAX_BYTES:
        raise ContractError(_("The file is larger than 1 GB; split it (for example by entity "
                              "type or region) or run the model on Spark."))
    csv.field_size_limit(MAX_FIELD)
    with _open_text(path) as handle:
        sample = handle.read(65536)
        handle.seek(0)
        if not sample.strip():
            raise ContractError(_("The file is empty."))
        try:
            dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        try:
            header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            raise ContractError(_("The file is empty.")) from None
        if "record_id" not in header:
            raise ContractError(_("The file has no record_id column (columns found: "
                                  "%(columns)s).") % {"columns": ", ".join(header[:20])})
        index = {c: header.index(c) for c in COLUMNS if c in header}
        seen: set[str] = set()
        try:
            for line_number, row in enumerate(reader, start=2):
                if not row or not any(cell.strip() for cell in row):
                    continue
                if line_number > MAX_RECORDS + 1:
                    raise ContractError(_("The file has more than %(max)d records.")
                                        % {"max": MAX_RECORDS})
                values = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
                record_id = values.get("record_id", "")
                if not record_id:
                    raise ContractError(_("Line %(line)d has no record_id.")
                                        % {"line": line_number})
                if record_id in seen:
                    raise ContractError(_("Line %(line)d repeats record_id %(id)s.")
                                        % {"line": line_number, "id": record_id[:80]})
                seen.add(record_id)
                yield Record(
                    record_id=record_id, source=values.get("source", ""),
                    entity_type=values.get("entity_type", ""), name=values.get("name", ""),
                    first_name=values.get("first_name", ""),
                    last_name=values.get("last_name", ""),
                    birth_date=values.get("birth_date", ""), founded=values.get("founded", ""),
                    street=values.get("street", ""),
                    house_number=values.get("house_number", ""),
                    postcode=values.get("postcode", ""), city=values.get("city", ""),
                    country=values.get("country", ""),
                    identifiers=parse_identifiers(values.get("identifiers", "")))
        except csv.Error as error:
            raise ContractError(_("The file is not valid CSV near line %(line)d: %(error)s")
                                % {"line": reader.line_num, "error": error}) from None


def write_clusters(path: Path, clusters: dict[str, str]) -> None:
    """``record_id,cluster_id`` for every record, written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".clusters-",
                                             suffix=".csv")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record_id", "cluster_id"])
            for record_id, cluster_id in clusters.items():
                writer.writerow([record_id, cluster_id])
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def records_to_csv(records: list[Record]) -> str:
    """Records as a contract file (used by tests and the evaluation)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for r in records:
        writer.writerow([r.record_id, r.source, r.entity_type, r.name, r.first_name,
                         r.last_name, r.birth_date, r.founded, r.street, r.house_number,
                         r.postcode, r.city, r.country,
                         ";".join(f"{s}:{v}" for s, v in r.identifiers)])
    return buffer.getvalue()
