"""Records to match, and the normalised features every matching step compares.

One ``Record`` is one partner's (or one input file's) description of a company or person. The
same ``features`` function feeds the batch linker (Splink on DuckDB), the real-time candidate
lookup and the blocking keys stored in the database, so the three can never drift apart.

Normalisation: company names to a key without legal form, accents, case or word order
(``company_key``: look-alike letters from other scripts and bidi controls folded as in
``registry.names``, but only legal forms removed — not words such as "Import", "Export" or
"International", nor the family name "Vos", which the ``fingerprints`` library takes for
company types; "Hldg" read as "Holding"); person names are split into first and last name
("JANSEN, Piet", "P. Jansen", "Piet van der Jansen"), with the Dutch *tussenvoegsel* ("van der")
kept apart so "Piet van den Berg" and "P. Berg" can meet; dates in the common
spellings (ISO, ``YYYYMMDD``, ``DD-MM-YYYY``); postcodes without spaces; identifiers through
``registry.identifiers`` where the scheme is known, and upper case without separators where it is
not. A Dutch EORI built from an RSIN (``NL`` + nine digits passing the 11-proef) also yields that
RSIN as *evidence* — never as a strong identifier, because Customs may issue EORIs that pass the
test by chance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import jellyfish
import normality
from stdnum.nl import bsn

from havenbeeld.registry import identifiers as ids
from havenbeeld.registry.names import clean_display

PERSON = "person"
COMPANY = "company"
ENTITY_TYPES = (PERSON, COMPANY)

# Identifier schemes that name one legal entity, branch, vessel, container or account: two
# records sharing one are the same; two records with different values of one are not.
STRONG_SCHEMES = frozenset({"kvk", "vestiging", "rsin", "bsn", "btw", "eori", "imo",
                            "container", "iban", "mmsi"})
# Of those, the ones an entity has exactly one of (an entity may hold several IBANs).
SINGULAR_SCHEMES = frozenset({"kvk", "rsin", "bsn", "btw", "eori", "imo", "container"})

TUSSENVOEGSELS = frozenset({"van", "der", "den", "de", "het", "ter", "ten", "te", "in", "op",
                            "t", "vd", "v", "d", "la", "le", "du", "von", "zu", "da", "di"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+", re.UNICODE)
_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ].*)?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
)
# Legal forms as folded words ("B.V." -> "b v"). The Dutch ones are removed wherever they stand
# ("Holding B.V. Delta Expeditie"); the others only at the end of a name, where a legal form
# stands, because as words they can be part of a name ("AB Transport", "CV Techniek").
_DUTCH_FORMS = ("b v", "bv", "n v", "nv", "v o f", "vof", "besloten vennootschap",
                "naamloze vennootschap", "vennootschap onder firma",
                "commanditaire vennootschap", "met beperkte aansprakelijkheid")
_EDGE_FORMS = ("c v", "cv", "u a", "ua", "w a", "b a", "i o", "in oprichting", "ltd", "limited",
               "llc", "l l c", "inc", "incorporated", "corp", "corporation", "plc", "gmbh",
               "co kg", "kg", "ag", "s a", "sa", "sarl", "s a r l", "srl", "s r l", "spa",
               "s p a", "sas", "s a s", "bvba", "sprl", "ab", "as", "a s", "aps", "oy", "oyj",
               "s l", "sl", "slu", "lda", "ltda", "s de r l", "sa de cv", "s a de c v",
               "sp z o o", "s r o", "sro", "kft", "d o o", "doo", "pty", "pte", "co ltd",
               "co", "company", "cie", "et cie", "en co", "and co", "e k", "ek", "ohg", "ug")
# Abbreviations written for a word of a company name.
_ABBREVIATIONS = {"hldg": "holding", "intl": "international", "int l": "international",
                  "mij": "maatschappij", "mpij": "maatschappij"}


def _alternatives(words: tuple[str, ...] | dict[str, str]) -> str:
    """A regular expression matching any of ``words``, the longest first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_FORM_PATTERN = re.compile(rf"(?:^| )(?:{_alternatives(_DUTCH_FORMS)})(?= |$)")
_EDGE_PATTERN = re.compile(rf"(?:^| )(?:(?:{_alternatives(_DUTCH_FORMS + _EDGE_FORMS)})(?: |$))+$")
_ABBREVIATION_PATTERN = re.compile(rf"(?<![a-z0-9])(?:{_alternatives(_ABBREVIATIONS)})(?![a-z0-9])")
_LOCATION_SCHEMES = frozenset({"address", "postcode"})
_YEAR = re.compile(r"^\d{4}$")
_MAX_FIELD = 300


@dataclass(frozen=True)
class Record:
    """A description of one company or person by one source, before resolution."""

    record_id: str
    source: str = ""
    entity_type: str = ""
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: str = ""
    founded: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    identifiers: tuple[tuple[str, str], ...] = field(default=())

    def kind(self) -> str:
        """``person`` or ``company``: as told, else guessed from the fields present."""
        told = (self.entity_type or "").strip().lower()
        if told in ENTITY_TYPES:
            return told
        if told in {"persoon", "natural_person", "individual", "p"}:
            return PERSON
        if told in {"bedrijf", "organisation", "organization", "legal_entity", "c"}:
            return COMPANY
        if self.first_name or self.last_name or self.birth_date:
            return PERSON
        return COMPANY


def fold(text: str) -> str:
    """Lower-case ASCII words of ``text`` (accents, look-alikes and controls folded)."""
    if not text:
        return ""
    return name_key_ordered(text)


def name_key_ordered(text: str) -> str:
    """Lower-case ASCII words in their order: accents, look-alike letters from other scripts,
    punctuation and control characters folded away (initials such as "P." are kept)."""
    cleaned = clean_display(text[:_MAX_FIELD])
    ascii_text = normality.ascii_text(cleaned) or ""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


def company_key(name: str) -> str:
    """Canonical key of a company name: its words without legal form, accents, case or order.

    "Kaaiwacht Logistiek B.V.", "B.V. KAAIWACHT LOGISTIEK" and "Logistiek Kaaiwacht
    Besloten Vennootschap" get "kaaiwacht logistiek"; "Delta Import Hldg BV" gets
    "delta holding import". A name that is nothing but a legal form keeps it.
    """
    folded = name_key_ordered(name)
    text = _ABBREVIATION_PATTERN.sub(lambda m: _ABBREVIATIONS[m.group(0)], folded)
    text = _EDGE_PATTERN.sub(" ", _FORM_PATTERN.sub(" ", text)).strip()
    words = sorted(set((text or folded).split()))
    return " ".join(words)[:255]


def parse_date(raw: str) -> str | None:
    """``YYYYMMDD`` for a date in a common spelling; a mistyped day or month is kept as told."""
    text = (raw or "").strip()[:40]
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
            if 1800 <= y <= 2200 and 0 <= m <= 99 and 0 <= d <= 99:
                return f"{y:04d}{m:02d}{d:02d}"
            return None
    if _YEAR.match(text):
        return f"{int(text):04d}0000"
    return None


def normalise_postcode(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")[:20]
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def normalise_house_number(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")[:20]
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def normalise_identifier(scheme: str, raw: str) -> tuple[str, str] | None:
    """``(scheme, canonical value)``; unknown schemes kept as upper case without separators."""
    scheme = (scheme or "").strip().lower()[:30]
    value = (raw or "").strip()
    if not scheme or not value:
        return None
    if scheme in ids.Scheme.values:
        try:
            return scheme, ids.normalise(scheme, value).value
        except ids.InvalidIdentifier:
            return None  # an invalid strong identifier is no evidence at all
    cleaned = re.sub(r"[\s.\-_/]+", "", unicodedata.normalize("NFKC", value)).upper()[:64]
    return (scheme, cleaned) if cleaned else None


def parse_identifiers(text: str) -> tuple[tuple[str, str], ...]:
    """``scheme:value;scheme:value`` as written in the resolve-file contract."""
    found = []
    for part in (text or "").split(";"):
        scheme, sep, value = part.partition(":")
        if sep and scheme.strip() and value.strip():
            found.append((scheme.strip(), value.strip()))
    return tuple(found)


def split_person_name(name: str) -> tuple[str, str]:
    """(first names, last name) of a full name as people write it."""
    text = clean_display(name[:_MAX_FIELD])
    if "," in text:
        last, _sep, first = text.partition(",")
        return first.strip(), last.strip()
    words = text.split()
    if len(words) <= 1:
        return "", text
    # The last name starts at the first tussenvoegsel after the first word, else is the last word.
    for i, word in enumerate(words[1:], start=1):
        if word.lower().strip(".'’") in TUSSENVOEGSELS and i < len(words) - 1:
            return " ".join(words[:i]), " ".join(words[i:])
    return " ".join(words[:-1]), words[-1]


def _words(text: str) -> list[str]:
    return fold(text).split()


def _last_core(last: list[str]) -> str:
    core = [w for w in last if w not in TUSSENVOEGSELS]
    return " ".join(core or last)


def features(record: Record) -> dict[str, Any]:
    """The columns every comparison, blocking key and lookup uses."""
    kind = record.kind()
    row: dict[str, Any] = {"record_id": str(record.record_id), "source": record.source or "",
                           "entity_type": kind}
    first, last = record.first_name, record.last_name
    if kind == PERSON and not (first or last) and record.name:
        first, last = split_person_name(record.name)
    first_words, last_words = _words(first), _words(last)
    if kind == PERSON:
        first_name = " ".join(first_words) or None
        last_name = " ".join(last_words) or None
        core = _last_core(last_words) if last_words else ""
        full = " ".join(first_words + last_words)
        row.update(
            first_name=first_name,
            first_initial=first_words[0][0] if first_words else None,
            last_name=last_name,
            last_core=core.replace(" ", "") or None,
            last_phonetic=jellyfish.metaphone(core)[:12] if core else None,
            name_key=" ".join(sorted(full.split())) or None,
            name_tokens=sorted(set(first_words + last_words)) or None,
        )
    else:
        key = company_key(record.name) if record.name else ""
        row.update(first_name=None, first_initial=None, last_name=None, last_core=None,
                   last_phonetic=None, name_key=key or None,
                   name_tokens=sorted(set(key.split())) or None)
    birth = parse_date(record.birth_date) if kind == PERSON else None
    founded = parse_date(record.founded) if kind == COMPANY else None
    row["birth_date"] = birth
    row["founded"] = founded
    row["event_year"] = (birth or founded or "")[:4] or None
    row["postcode"] = normalise_postcode(record.postcode) or None
    row["house_number"] = normalise_house_number(record.house_number) or None
    row["street"] = fold(record.street) or None
    row["city"] = fold(record.city) or None
    row["country"] = (fold(record.country).replace(" ", "").upper()[:3]) or None

    strong: set[str] = set()
    evidence: set[str] = set()
    for scheme, raw in record.identifiers[:50]:
        normalised = normalise_identifier(scheme, raw)
        if normalised is None or normalised[0] in _LOCATION_SCHEMES:
            continue  # addresses are compared as addresses, not as identifiers
        token = f"{normalised[0]}:{normalised[1]}"
        evidence.add(token)
        if normalised[0] in STRONG_SCHEMES:
            strong.add(token)
        if normalised[0] == "eori" and re.fullmatch(r"NL\d{9}", normalised[1]) and (
                bsn.checksum(normalised[1][2:]) == 0):
            evidence.add(f"rsin:{normalised[1][2:]}")
    row["identifiers"] = sorted(evidence) or None
    row["id_schemes"] = sorted({t.split(":", 1)[0] for t in evidence}) or None
    row["strong_ids"] = sorted(strong) or None
    return row


def usable(row: dict[str, Any]) -> bool:
    """Whether a record carries anything to match on (a name or an identifier)."""
    return bool(row.get("name_key") or row.get("identifiers"))
