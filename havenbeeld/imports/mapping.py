"""Column targets per object kind, and turning one row into facts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from havenbeeld.imports.readers import Cell
from havenbeeld.registry.identifiers import Scheme
from havenbeeld.registry.models import ObjectKind, Property
from havenbeeld.registry.services import Fact

IGNORE = "ignore"
_ADDRESS = ("street", "house_number", "postcode", "city", "country")

TARGETS: dict[str, tuple[str, ...]] = {
    ObjectKind.COMPANY: ("name", "trade_name", "identifier:kvk", "identifier:vestiging",
                         "identifier:rsin", "identifier:btw", "identifier:eori", "legal_form",
                         "founded", "dissolved", "sbi", *_ADDRESS, "note"),
    ObjectKind.PERSON: ("name", "birth_date", "nationality", "identifier:bsn", *_ADDRESS,
                        "note"),
    ObjectKind.ADDRESS: (*_ADDRESS, "name", "note"),
    ObjectKind.VESSEL: ("name", "identifier:imo", "identifier:mmsi", "flag", "vessel_type",
                        "note"),
    ObjectKind.CONTAINER: ("identifier:container", "container_type", "cargo", "origin", "note"),
    ObjectKind.VEHICLE: ("registration", "note"),
    ObjectKind.BANK_ACCOUNT: ("identifier:iban", "name", "note"),
}


def target_label(target: str) -> str:
    if target == IGNORE:
        return str(gettext_lazy("(do not import)"))
    if target.startswith("identifier:"):
        return str(Scheme(target.split(":", 1)[1]).label)
    return str(Property(target).label)


def target_choices(kind: str) -> list[tuple[str, str]]:
    return [(IGNORE, target_label(IGNORE))] + [(t, target_label(t)) for t in TARGETS[kind]]


_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_date(value: str) -> str:
    """ISO dates and the Dutch day-month-year form; returns ISO or raises ValueError."""
    value = value.strip()
    match = _DUTCH_DATE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day).isoformat()
    return dt.date.fromisoformat(value[:10]).isoformat()


class FactList(list):
    """Facts of one row, with the (column, value) each came from."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[tuple[str, str]] = []


@dataclass
class RowProblem:
    column: str
    value: str
    message: str
    suggestion: str = ""


def piece_key(prefix: str, piece: object) -> str:
    """Idempotency key of an imported piece: the row's key plus what it says, normalised, so
    "1234 5678" and "12345678" in a later file are the same fact."""
    said = piece.value_normalised or piece.value
    return f"{prefix}:{said_digest(piece.property, piece.scheme, said)}"


def said_digest(prop: str, scheme: str, said: str) -> str:
    """The part of ``piece_key`` after the row's prefix, from what a piece says: its property,
    scheme and its value normalised (or, if that is empty, as shown)."""
    return hashlib.sha256(f"{prop}\x1f{scheme}\x1f{said}".encode()).hexdigest()[:24]


_KEY_NOISE = re.compile(r"[\s.\-]")


def row_key(headers: list[str], cells: list[Cell], key_column: str) -> str:
    if key_column and key_column in headers:
        index = headers.index(key_column)
        value = cells[index].value.strip() if index < len(cells) else ""
        if value:
            return "k:" + _KEY_NOISE.sub("", value).upper()[:120]
    content = "\x1f".join(c.value.strip() for c in cells)
    return "h:" + hashlib.sha256(content.encode("utf-8")).hexdigest()


class PlannedColumn(NamedTuple):
    """A mapped column of a file, worked out once per file instead of once per cell."""

    index: int
    header: str
    property: Property | str
    scheme: Scheme | str | None
    is_date: bool
    members: bool  # property and scheme are members of their enums (``Fact`` keeps them)


def _fact_maker() -> object:
    """A ``Fact`` of a property and scheme that are already members of their enums, with
    every other field at its default: what ``Fact(property=…, value=…, scheme=…)`` makes,
    without the frozen dataclass's ``__init__`` and ``__post_init__`` (which convert the
    members to themselves), a sixth of the time. None (the constructor, then) if a field
    of ``Fact`` had no plain default."""
    defaults = {}
    for f in dataclasses.fields(Fact):
        if f.name in ("property", "value", "scheme"):
            continue
        if f.default is dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            return None
        defaults[f.name] = f.default
    new = object.__new__

    def make(prop: Property, value: str, scheme: Scheme | None) -> Fact:
        fact = new(Fact)
        state = fact.__dict__
        state.update(defaults)
        state["property"], state["value"], state["scheme"] = prop, value, scheme
        return fact

    return make


_new_fact = _fact_maker()


def _member(choices: type[Property] | type[Scheme], value: str) -> Property | Scheme | str:
    """The enum member (``Fact`` converts a member quicker than a string); a value that names
    none is left for ``Fact`` to refuse as it always has."""
    return choices(value) if value in choices.values else value


def column_plan(headers: list[str], columns: dict[str, str]) -> list[PlannedColumn]:
    """Per mapped column of the file: its index, header, property, scheme and whether it holds
    a date."""
    plan = []
    for index, header in enumerate(headers):
        target = columns.get(header, IGNORE)
        if target == IGNORE:
            continue
        scheme = None
        prop = target
        if target.startswith("identifier:"):
            prop, scheme = Property.IDENTIFIER, _member(Scheme, target.split(":", 1)[1])
        prop = _member(Property, prop)
        plan.append(PlannedColumn(index, header, prop, scheme,
                                  target in ("founded", "dissolved", "birth_date"),
                                  isinstance(prop, Property)
                                  and (scheme is None or isinstance(scheme, Scheme))))
    return plan


def row_to_facts(headers: list[str], cells: list[Cell], columns: dict[str, str],
                 plan: list | None = None) -> tuple[list[Fact], list[RowProblem]]:
    """The facts a row states, or the problems that stop it. ``fact_sources`` of the returned
    list says, per fact, the column and cell it came from. ``plan`` is ``column_plan(headers,
    columns)``, for callers that convert many rows."""
    facts: list[Fact] = FactList()
    problems: list[RowProblem] = []
    width = len(cells)
    make = _new_fact
    for index, header, prop, scheme, is_date, members in (plan if plan is not None
                                                          else column_plan(headers, columns)):
        if index >= width:
            continue
        cell = cells[index]
        value = cell.value.strip()
        if not value:
            continue
        if cell.is_formula or value.startswith("="):
            problems.append(RowProblem(header, value[:200], _(
                "The cell holds a formula; only values are imported. Paste the values instead.")))
            continue
        if is_date:
            try:
                value = parse_date(value)
            except ValueError:
                problems.append(RowProblem(header, value[:200], _(
                    "Not a valid date; use YYYY-MM-DD or DD-MM-YYYY.")))
                continue
        facts.append(make(prop, value, scheme) if members and make is not None
                     else Fact(property=prop, value=value, scheme=scheme))
        facts.sources.append((header, value))
    if not facts and not problems:
        problems.append(RowProblem("", "", _("The row holds no value in a mapped column.")))
    return facts, problems
