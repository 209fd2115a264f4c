"""Synthetic records at any scale with known truth, for benchmarks of resolution.

Like the demo world's second layer but without a database: Dutch companies and persons, each
known to one to four sources, every source spelling it its own way — legal forms, typos, word
order, initials, "LAST, First", postcode letters swapped, day and month swapped, fields missing,
identifiers present for some sources only — and a tenth of the companies registered at flex
offices shared by dozens of others. All names are invented (syllables and common Dutch words).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from stdnum.nl import bsn

from havenbeeld.demo import vocab
from havenbeeld.demo.registry_world import Variants
from havenbeeld.resolution.features import Record

SOURCES = ("riec", "customs", "police", "shipping", "municipality")
_SYLLABLES = ("ka", "ve", "lo", "ri", "ta", "mo", "ne", "sa", "do", "bre", "kra", "vi", "ro",
              "ze", "la", "ma", "tro", "ni", "ko", "pa", "de", "gu", "fle", "ba", "stu", "wel")


class _Spelling(Variants):
    """The demo world's spelling variation (typos, company names), plus what a file of many
    sources adds: person names split or not, postcodes with a space, dates in other orders."""

    def person_fields(self, first: str, last: str) -> tuple[str, str, str]:
        """(name, first_name, last_name): some sources split, some write one field."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return f"{first[0]}. {last}", "", ""
        if roll < 0.35:
            return "", first, self.typo(last)
        if roll < 0.45:
            return f"{last.upper()}, {first}", "", ""
        if roll < 0.5:
            return "", self.typo(first), last
        return ("", first, last) if rng.random() < 0.5 else (f"{first} {last}", "", "")

    def postcode(self, code: str) -> str:
        if self.rng.random() < 0.08:
            return code[:4] + code[5] + code[4]
        return code if self.rng.random() < 0.7 else f"{code[:4]} {code[4:]}"

    def date(self, day: dt.date) -> str:
        roll = self.rng.random()
        if roll < 0.05 and day.day <= 12:
            return f"{day.year:04d}-{day.day:02d}-{day.month:02d}"
        if roll < 0.5:
            return day.isoformat()
        return day.strftime("%d-%m-%Y")


def _base_name(rng: random.Random, used: set[str]) -> str:
    while True:
        roll = rng.random()
        coined = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if roll < 0.4:
            base = f"{coined} {rng.choice(vocab.COMPANY_CORES)}"
        elif roll < 0.7:
            prefix, core = rng.choice(vocab.COMPANY_PREFIXES), rng.choice(vocab.COMPANY_CORES)
            base = f"{prefix} {coined} {core}"
        else:
            base = f"{rng.choice(vocab.FAMILY_FIRMS)} {coined}"
        if base not in used:
            used.add(base)
            return base


_PREFIXES = ("van", "de", "van de", "van der", "van den", "ter", "ten")


def _person_name(rng: random.Random) -> tuple[str, str]:
    """Names with a long tail, as in a real population: half from the common-name lists, half
    coined (tens of thousands of surnames, thousands of first names)."""
    if rng.random() < 0.5:
        return rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
    first = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    last = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
    if rng.random() < 0.25:
        last = f"{rng.choice(_PREFIXES)} {last}"
    return first, last


def _address(rng: random.Random) -> tuple[str, str, str, str]:
    city = rng.choice(list(vocab.STREETS))
    street, prefix = rng.choice(vocab.STREETS[city])
    postcode = f"{prefix}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
    return street, str(rng.randrange(1, 400)), postcode, city


def generate(records: int, seed: int = 1) -> Iterator[tuple[Record, str]]:
    """About ``records`` records with the entity each describes."""
    rng = random.Random(f"havenbeeld-synthetic-{seed}")
    spell = _Spelling(rng)
    used: set[str] = set()
    flex = [_address(rng) for _ in range(max(1, records // 400))]
    kvk_numbers = iter(rng.sample(range(10_000_000, 99_999_999), records))
    made = 0
    entity = 0
    while made < records:
        entity += 1
        key = f"e{entity}"
        copies = min(records - made, rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4)))
        sources = rng.sample(SOURCES, copies)
        if rng.random() < 0.5:
            first, last = _person_name(rng)
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 23000))
            street, number, postcode, city = _address(rng)
            for source in sources:
                name, first_name, last_name = spell.person_fields(first, last)
                with_address = rng.random() < 0.6
                yield Record(
                    record_id=f"{key}-{source}", source=source, entity_type="person",
                    name=name, first_name=first_name, last_name=last_name,
                    birth_date=spell.date(born) if rng.random() < 0.85 else "",
                    street=street if with_address else "",
                    house_number=number if with_address else "",
                    postcode=spell.postcode(postcode) if with_address else "",
                    city=city if with_address or rng.random() < 0.3 else ""), key
        else:
            base, form = _base_name(rng, used), rng.choice(vocab.LEGAL_FORMS)
            kvk = f"{next(kvk_numbers):08d}"
            founded = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 20000))
            street, number, postcode, city = (rng.choice(flex) if rng.random() < 0.1
                                              else _address(rng))
            rsin = f"{rng.randrange(10_000_000, 99_999_999):08d}"
            rsin = rsin + str(_rsin_check(rsin))
            for index, source in enumerate(sources):
                register = index == 0
                identifiers: list[tuple[str, str]] = []
                if register or rng.random() < 0.4:
                    identifiers.append(("kvk", kvk))
                if source == "customs" and rng.random() < 0.8 and rsin[-1] != "X":
                    identifiers.append(("eori", "NL" + rsin))
                with_address = register or rng.random() < 0.75
                yield Record(
                    record_id=f"{key}-{source}", source=source, entity_type="company",
                    name=f"{base} {form}" if register else spell.company(base, form),
                    founded=spell.date(founded) if register else "",
                    street=street if with_address else "",
                    house_number=number if with_address else "",
                    postcode=(postcode if register else spell.postcode(postcode))
                    if with_address else "",
                    city=city, identifiers=tuple(identifiers)), key
        made += copies


def _rsin_check(first_eight: str) -> str:
    """The ninth digit that makes an RSIN pass the 11-proef ('X' when none does)."""
    for digit in "0123456789":
        if bsn.checksum(first_eight + digit) == 0:
            return digit
    return "X"
