"""Signals from a file (CSV or XLSX): one signal per row, each through the same pipeline.

The file is read by the registry import's reader (encoding, delimiter and XLSX decided by
content; formula cells refused). Columns (case-insensitive; unknown columns are reported, not
guessed):

    theme, port, title, description, observed_at, distribution, legal_basis, pseudonymous,
    company_name, company_kvk, company_btw, company_eori, company_rsin,
    person_name, person_first_name, person_last_name, person_birth_date,
    vessel_name, vessel_imo, vessel_mmsi, container_number, vehicle_registration,
    address_street, address_house_number, address_postcode, address_city, account_iban

``container_number`` and ``vehicle_registration`` may hold several values separated by ``;``.

A file whose columns are named otherwise is read with a saved column mapping
(``FileMapping``, kept per organisation at /signalen/bestand/indelingen/ and named with
``--mapping`` on the command line): it says which platform column each of the file's headers
is (or that it is skipped), and may give values for every row — a terminal's export with only a
date, a container number and a description gets its theme, port, distribution and legal basis
from the mapping. A value in the row wins over the mapping's.

Each row is its own transaction with the idempotency key ``file:<sha256 of the file>:<row>``:
a re-run of the same file adds nothing, and a run that was stopped resumes where it stopped.
Rows with problems are reported with their row number and message; the other rows go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from havenbeeld.accounts.models import User
from havenbeeld.imports.mapping import parse_date
from havenbeeld.imports.readers import Cell, UnreadableFile, open_table
from havenbeeld.registry.models import ObjectKind
from havenbeeld.signals import intake
from havenbeeld.signals.models import Channel, FileMapping

SIGNAL_COLUMNS = ("theme", "port", "title", "description", "observed_at", "distribution",
                  "legal_basis", "pseudonymous")
OBJECT_COLUMNS: dict[str, tuple[str, str]] = {
    # column: (kind, field) — field "id:<scheme>" is an identifier
    "company_name": (ObjectKind.COMPANY, "name"),
    "company_kvk": (ObjectKind.COMPANY, "id:kvk"),
    "company_btw": (ObjectKind.COMPANY, "id:btw"),
    "company_eori": (ObjectKind.COMPANY, "id:eori"),
    "company_rsin": (ObjectKind.COMPANY, "id:rsin"),
    "person_name": (ObjectKind.PERSON, "name"),
    "person_first_name": (ObjectKind.PERSON, "first_name"),
    "person_last_name": (ObjectKind.PERSON, "last_name"),
    "person_birth_date": (ObjectKind.PERSON, "birth_date"),
    "vessel_name": (ObjectKind.VESSEL, "name"),
    "vessel_imo": (ObjectKind.VESSEL, "id:imo"),
    "vessel_mmsi": (ObjectKind.VESSEL, "id:mmsi"),
    "container_number": (ObjectKind.CONTAINER, "id:container"),
    "vehicle_registration": (ObjectKind.VEHICLE, "registration"),
    "address_street": (ObjectKind.ADDRESS, "street"),
    "address_house_number": (ObjectKind.ADDRESS, "house_number"),
    "address_postcode": (ObjectKind.ADDRESS, "postcode"),
    "address_city": (ObjectKind.ADDRESS, "city"),
    "account_iban": (ObjectKind.BANK_ACCOUNT, "id:iban"),
}
MULTIPLE = {"container_number", "vehicle_registration"}
TRUE = {"1", "ja", "yes", "true", "waar", "j", "y"}


@dataclass
class RowError:
    row: int
    message: str
    field: str = ""


@dataclass
class FileReport:
    rows: int = 0
    created: list[str] = field(default_factory=list)  # signal references
    already: int = 0  # rows recorded by an earlier run of the same file
    errors: list[RowError] = field(default_factory=list)


class SignalFileError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _entries(values: dict[str, str]) -> tuple[intake.ObjectEntry, ...]:
    fields: dict[str, dict[str, object]] = {}
    multiples: list[intake.ObjectEntry] = []
    for column, (kind, name) in OBJECT_COLUMNS.items():
        value = values.get(column, "").strip()
        if not value:
            continue
        if column in MULTIPLE:
            for part in (p.strip() for p in value.split(";")):
                if not part:
                    continue
                multiples.append(intake.ObjectEntry(
                    kind=kind, identifiers=((name[3:], part),) if name.startswith("id:")
                    else (), **({} if name.startswith("id:") else {name: part})))
            continue
        entry = fields.setdefault(kind, {"identifiers": []})
        if name.startswith("id:"):
            entry["identifiers"].append((name[3:], value))
        else:
            entry[name] = parse_date(value) if name == "birth_date" else value
    single = [intake.ObjectEntry(kind=kind, identifiers=tuple(data.pop("identifiers")), **data)
              for kind, data in fields.items()]
    return tuple(single + multiples)


def row_input(values: dict[str, str]) -> intake.SignalInput:
    observed = None
    if values.get("observed_at", "").strip():
        text = values["observed_at"].strip()
        try:
            observed = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                observed = dt.datetime.fromisoformat(parse_date(text))
            except ValueError:
                raise intake.SignalError(_("observed_at is not a date (use YYYY-MM-DD, "
                                           "optionally with a time)."), "observed_at") from None
    try:
        objects = _entries(values)
    except ValueError:
        raise intake.SignalError(_("person_birth_date is not a date (use YYYY-MM-DD or "
                                   "DD-MM-YYYY)."), "person_birth_date") from None
    return intake.SignalInput(
        theme=values.get("theme", "").strip().lower(), port=values.get("port", "").strip()
        .lower(), title=values.get("title", ""), description=values.get("description", ""),
        observed_at=observed, distribution=values.get("distribution", "").strip().lower(),
        legal_basis=values.get("legal_basis", "").strip().lower(),
        pseudonymous=values.get("pseudonymous", "").strip().lower() in TRUE, objects=objects)


def _values(headers: list[str], cells: list[Cell]) -> dict[str, str]:
    values = {}
    for header, cell in zip(headers, cells, strict=False):
        if not header:  # skipped by the mapping
            continue
        if cell.is_formula or cell.value.strip().startswith("="):
            raise intake.SignalError(_("Column %(column)s holds a formula; only values are "
                                       "read.") % {"column": header}, header)
        values[header] = cell.value
    return values


ALL_COLUMNS = (*SIGNAL_COLUMNS, *OBJECT_COLUMNS)
REQUIRED = ("theme", "port", "title", "distribution", "legal_basis")
SKIP = ""  # a mapping's target for a column that is not read


def parse_columns(text: str) -> dict[str, str]:
    """Mapping lines ``header in the file = platform column`` (``= -`` skips the column)
    into {case-folded header: column}. Raises SignalFileError naming the bad line."""
    columns: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        header, sep, target = line.rpartition("=")
        header, target = header.strip().casefold(), target.strip().lower()
        if not sep or not header:
            raise SignalFileError(_("Line %(n)d (%(line)s): write it as 'column in your file = "
                                    "column of Havenbeeld'.")
                                  % {"n": number, "line": line.strip()[:100]})
        if len(header) > 200:
            raise SignalFileError(_("Line %(n)d: a column name is at most 200 characters.")
                                  % {"n": number})
        if target == "-":
            target = SKIP
        elif target not in ALL_COLUMNS:
            raise SignalFileError(_("Line %(n)d: %(column)s is not a column of Havenbeeld.")
                                  % {"n": number, "column": target})
        if header in columns:
            raise SignalFileError(_("Line %(n)d: the column %(header)s is mapped twice.")
                                  % {"n": number, "header": header})
        if target and target in columns.values():
            raise SignalFileError(_("Line %(n)d: two columns of your file would fill "
                                    "%(column)s.") % {"n": number, "column": target})
        columns[header] = target
    return columns


def columns_text(columns: dict[str, str]) -> str:
    return "\n".join(f"{header} = {target or '-'}" for header, target in columns.items())


def save_mapping(*, actor: User, name: str, columns: dict[str, str], defaults: dict[str, str],
                 mapping: FileMapping | None = None) -> FileMapping:
    """Create or change one of the actor's organisation's column mappings."""
    from django.utils import timezone

    name = " ".join(name.split())[:100]
    if not name:
        raise SignalFileError(_("Give the column mapping a name."))
    bad = [key for key in defaults if key not in SIGNAL_COLUMNS]
    if bad:
        raise SignalFileError(_("Values for every row can only be given for: %(columns)s.")
                              % {"columns": ", ".join(SIGNAL_COLUMNS)})
    if mapping is not None and mapping.organisation_id != actor.organisation_id:
        raise SignalFileError(_("This column mapping belongs to another organisation."))
    clash = FileMapping.objects.filter(organisation_id=actor.organisation_id, name=name)
    if mapping is not None:
        clash = clash.exclude(pk=mapping.pk)
    if clash.exists():
        raise SignalFileError(_("Your organisation already has a column mapping called "
                                "%(name)s.") % {"name": name})
    mapping = mapping or FileMapping(organisation_id=actor.organisation_id)
    mapping.name, mapping.columns = name, columns
    mapping.defaults = {k: v.strip() for k, v in defaults.items() if v and v.strip()}
    mapping.updated_by, mapping.updated_at = actor, timezone.now()
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:  # the same name saved by a colleague a moment ago
        raise SignalFileError(_("Your organisation already has a column mapping called "
                                "%(name)s.") % {"name": name}) from None
    return mapping


def mapping_for(actor: User, name: str) -> FileMapping:
    """The actor's organisation's mapping of that name (another organisation's is unknown)."""
    found = FileMapping.objects.filter(organisation_id=actor.organisation_id,
                                       name=" ".join(name.split())).first()
    if found is None:
        raise SignalFileError(_("Your organisation has no column mapping called %(name)s.")
                              % {"name": name})
    return found


def _headers(raw: list[str], mapping: FileMapping | None) -> list[str]:
    """The platform's column for each of the file's headers ("" for a skipped one)."""
    headers = []
    for header in raw:
        key = header.strip().casefold()
        if mapping is not None and key in mapping.columns:
            headers.append(mapping.columns[key])
        else:
            headers.append(key)
    return headers


def import_file(*, actor: User, path: Path, max_rows: int = 10_000,
                mapping: FileMapping | None = None) -> FileReport:
    """Submit every row of the file as a signal; see the module docstring."""
    if mapping is not None and mapping.organisation_id != actor.organisation_id:
        raise SignalFileError(_("This column mapping belongs to another organisation."))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    try:
        table = open_table(path)
    except UnreadableFile as exc:
        raise SignalFileError(exc.message) from None
    headers = _headers(table.headers, mapping)
    unknown = [raw.strip() for raw, h in zip(table.headers, headers, strict=True)
               if h and h not in ALL_COLUMNS]
    if unknown:
        raise SignalFileError(_("Unknown columns: %(columns)s. Name them as listed in the "
                                "README, or map them with a saved column mapping.")
                              % {"columns": ", ".join(unknown)})
    defaults = mapping.defaults if mapping is not None else {}
    missing = [c for c in REQUIRED if c not in headers and c not in defaults]
    if missing:
        raise SignalFileError(_("Missing columns: %(columns)s.")
                              % {"columns": ", ".join(missing)})
    report = FileReport()
    rows = enumerate(table.rows, start=2)
    while True:
        try:
            number, cells = next(rows)
        except StopIteration:
            break
        except UnreadableFile as exc:  # a CSV that breaks off: the rows before it stand
            report.errors.append(RowError(report.rows + 2, exc.message))
            break
        if not cells:
            continue
        report.rows += 1
        if report.rows > max_rows:
            report.errors.append(RowError(number, _("More than %(max)d rows: the rest of the "
                                                    "file was not read.") % {"max": max_rows}))
            break
        try:
            values = _values(headers, cells)
            for column, value in defaults.items():
                if not values.get(column, "").strip():
                    values[column] = value
            data = row_input(values)
            submission = intake.submit(actor=actor, data=data, channel=Channel.FILE,
                                       idempotency_key=f"file:{digest.hexdigest()}:{number}")
        except intake.SignalError as exc:
            report.errors.append(RowError(number, exc.message, exc.field))
            continue
        if submission.created:
            report.created.append(submission.signal.reference)
        else:
            report.already += 1
    return report
