"""Identifier schemes: validation and normalisation (../shared/domain.md §7).

python-stdnum does the work where it has a module (BTW, BSN, IMO, ISO 6346, IBAN, postcode; its
BSN checksum serves the RSIN's 11-proef). KvK, vestigingsnummer, EORI and MMSI have no stdnum
module; their rules are written out below. ``normalise`` accepts any common spelling (spaces,
dots, dashes, lower case, an ``IMO`` or ``NL`` prefix) and returns one canonical value, or raises
``InvalidIdentifier`` with a message for the user and, where a check digit is wrong, the
corrected form as a suggestion — never applied silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stdnum import iban, imo, iso6346
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.nl import bsn, btw, postcode


class Scheme(models.TextChoices):
    KVK = "kvk", gettext_lazy("KvK number")
    VESTIGING = "vestiging", gettext_lazy("branch number (vestigingsnummer)")
    RSIN = "rsin", "RSIN"
    BSN = "bsn", "BSN"
    BTW = "btw", gettext_lazy("VAT number (BTW)")
    EORI = "eori", "EORI"
    IMO = "imo", gettext_lazy("IMO number")
    MMSI = "mmsi", "MMSI"
    CONTAINER = "container", gettext_lazy("container number (ISO 6346)")
    IBAN = "iban", "IBAN"
    POSTCODE = "postcode", gettext_lazy("postcode")
    ADDRESS = "address", gettext_lazy("address (postcode and house number)")


class InvalidIdentifier(ValueError):
    def __init__(self, scheme: Scheme, raw: str, message: str, suggestion: str | None = None):
        super().__init__(message)
        self.scheme = scheme
        self.raw = raw
        self.message = message
        self.suggestion = suggestion


@dataclass(frozen=True)
class Identifier:
    scheme: Scheme
    value: str  # canonical, used for storage, matching and hashing
    display: str  # how people write it

    def __str__(self) -> str:
        return f"{self.scheme.label} {self.display}"


_SEPARATORS = re.compile(r"[\s.\-_/]+")
_MAX_RAW = 64


def _clean(raw: str) -> str:
    """Upper case without separators; look-alike and full-width characters folded (NFKC)."""
    text = unicodedata.normalize("NFKC", raw)
    return _SEPARATORS.sub("", text).upper()


def _digits(scheme: Scheme, raw: str, length: int, *, prefixes: tuple[str, ...] = ()) -> str:
    value = _clean(raw)
    for prefix in prefixes:
        if value.startswith(prefix):
            value = value[len(prefix):]
    if not value.isascii() or not value.isdigit():
        raise InvalidIdentifier(scheme, raw, _("%(scheme)s may contain only digits.")
                                % {"scheme": scheme.label})
    if len(value) != length:
        raise InvalidIdentifier(scheme, raw, _("%(scheme)s has %(length)d digits, not "
                                               "%(given)d.")
                                % {"scheme": scheme.label, "length": length, "given": len(value)})
    return value


def _kvk(raw: str) -> Identifier:
    # 8 digits, no check digit (domain.md §7). A "KvK 1234 5678" prefix is tolerated.
    value = _digits(Scheme.KVK, raw, 8, prefixes=("KVK", "KVKNUMMER"))
    return Identifier(Scheme.KVK, value, value)


def _vestiging(raw: str) -> Identifier:
    value = _digits(Scheme.VESTIGING, raw, 12)
    return Identifier(Scheme.VESTIGING, value, value)


def _eleven_test(scheme: Scheme, raw: str, value: str) -> None:
    if not bsn.checksum(value) == 0:
        raise InvalidIdentifier(scheme, raw, _("%(scheme)s %(value)s fails the 11-proef; check "
                                               "the digits.") % {"scheme": scheme.label,
                                                                 "value": value})


def _rsin(raw: str) -> Identifier:
    value = _clean(raw)
    if value.isdigit() and 7 <= len(value) < 9:
        value = value.zfill(9)  # leading zeros are often dropped
    value = _digits(Scheme.RSIN, value, 9)
    _eleven_test(Scheme.RSIN, raw, value)
    return Identifier(Scheme.RSIN, value, value)


def _bsn(raw: str) -> Identifier:
    value = _clean(raw)
    if value.isdigit() and 7 <= len(value) < 9:
        value = value.zfill(9)
    value = _digits(Scheme.BSN, value, 9)
    _eleven_test(Scheme.BSN, raw, value)
    return Identifier(Scheme.BSN, value, bsn.format(value))


def _btw(raw: str) -> Identifier:
    value = _clean(raw)
    if not value.startswith("NL"):
        value = "NL" + value
    try:
        compact = btw.validate(value)
    except InvalidChecksum:
        raise InvalidIdentifier(Scheme.BTW, raw, _("This VAT number does not pass its check; "
                                                   "check the digits.")) from None
    except ValidationError:
        raise InvalidIdentifier(Scheme.BTW, raw, _("A Dutch VAT number looks like "
                                                   "NL123456789B01.")) from None
    return Identifier(Scheme.BTW, "NL" + compact, "NL" + compact)


_EU_COUNTRY = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")


def _eori(raw: str) -> Identifier:
    value = _clean(raw)
    if value.isdigit() and len(value) == 9:
        value = "NL" + value
    if value.startswith("NL"):
        if not re.fullmatch(r"NL\d{9}", value):
            raise InvalidIdentifier(Scheme.EORI, raw, _("A Dutch EORI number is NL followed by "
                                                        "9 digits."))
    elif not _EU_COUNTRY.fullmatch(value):
        raise InvalidIdentifier(Scheme.EORI, raw, _("An EORI number is a country code followed "
                                                    "by at most 15 letters or digits."))
    return Identifier(Scheme.EORI, value, value)


def _imo(raw: str) -> Identifier:
    value = _clean(raw)
    value = value.removeprefix("IMO")
    try:
        compact = imo.validate(value)
    except InvalidChecksum:
        suggestion = None
        if len(value) == 7 and value.isdigit():
            suggestion = value[:6] + imo.calc_check_digit(value[:6])
        raise InvalidIdentifier(Scheme.IMO, raw, _("The check digit of this IMO number is "
                                                   "wrong."), suggestion) from None
    except ValidationError:
        raise InvalidIdentifier(Scheme.IMO, raw, _("An IMO number has 7 digits, e.g. "
                                                   "IMO 9319466.")) from None
    return Identifier(Scheme.IMO, compact, imo.format(compact))


def _mmsi(raw: str) -> Identifier:
    value = _digits(Scheme.MMSI, raw, 9, prefixes=("MMSI",))
    # Ship stations start with a Maritime Identification Digit 2–7; the rest are group calls
    # (0), coast stations (00), SAR aircraft (111), aids to navigation (99) and the like.
    if value[0] not in "234567":
        raise InvalidIdentifier(Scheme.MMSI, raw, _("This MMSI is not a ship station (a ship's "
                                                    "MMSI starts with 2 to 7)."))
    return Identifier(Scheme.MMSI, value, value)


def _container(raw: str) -> Identifier:
    value = _clean(raw)
    try:
        compact = iso6346.validate(value)
    except InvalidChecksum:
        suggestion = value[:10] + iso6346.calc_check_digit(value[:10])
        raise InvalidIdentifier(Scheme.CONTAINER, raw, _(
            "The check digit of container number %(value)s is wrong; did you mean "
            "%(suggestion)s?") % {"value": value, "suggestion": iso6346.format(suggestion)},
            suggestion) from None
    except ValidationError:
        raise InvalidIdentifier(Scheme.CONTAINER, raw, _(
            "A container number has 4 letters and 7 digits, e.g. CSQU 305438 3.")) from None
    return Identifier(Scheme.CONTAINER, compact, iso6346.format(compact))


def _iban(raw: str) -> Identifier:
    try:
        compact = iban.validate(raw)
    except InvalidChecksum:
        raise InvalidIdentifier(Scheme.IBAN, raw, _("This IBAN does not pass its check; check "
                                                    "the characters.")) from None
    except ValidationError:
        raise InvalidIdentifier(Scheme.IBAN, raw, _("This is not a valid IBAN, e.g. "
                                                    "NL91 ABNA 0417 1643 00.")) from None
    return Identifier(Scheme.IBAN, compact, iban.format(compact))


def _postcode(raw: str) -> Identifier:
    try:
        formatted = postcode.validate(_clean(raw))
    except ValidationError:
        raise InvalidIdentifier(Scheme.POSTCODE, raw, _("A Dutch postcode has 4 digits and 2 "
                                                        "letters, e.g. 3011 AA.")) from None
    return Identifier(Scheme.POSTCODE, formatted.replace(" ", ""), formatted)


_ADDRESS = re.compile(
    r"^\s*(\d{4}\s*[A-Za-z]{2})[\s,\-]*(\d{1,5})\s*[-\s]?\s*([A-Za-z0-9]{0,4})\s*$")


def _address(raw: str) -> Identifier:
    """Postcode + house number (+ addition), e.g. "3011 AA 12-b" → 3011AA-12-B."""
    match = _ADDRESS.match(unicodedata.normalize("NFKC", raw))
    if not match:
        raise InvalidIdentifier(Scheme.ADDRESS, raw, _(
            "An address is a postcode and a house number, e.g. 3011 AA 12 or 3011AA 12-B."))
    key = address_key(*match.groups())
    postcode, number, *addition = key.split("-")
    display = f"{postcode[:4]} {postcode[4:]} {number}" + (f"-{addition[0]}" if addition else "")
    return Identifier(Scheme.ADDRESS, key, display)


_NORMALISERS = {
    Scheme.KVK: _kvk,
    Scheme.VESTIGING: _vestiging,
    Scheme.RSIN: _rsin,
    Scheme.BSN: _bsn,
    Scheme.BTW: _btw,
    Scheme.EORI: _eori,
    Scheme.IMO: _imo,
    Scheme.MMSI: _mmsi,
    Scheme.CONTAINER: _container,
    Scheme.IBAN: _iban,
    Scheme.POSTCODE: _postcode,
    Scheme.ADDRESS: _address,
}


def normalise(scheme: Scheme | str, raw: str) -> Identifier:
    """Validate ``raw`` as ``scheme`` and return its canonical form."""
    try:
        scheme = Scheme(scheme)
    except ValueError:
        raise InvalidIdentifier(Scheme.KVK, str(raw), _("Unknown identifier scheme "
                                                        "%(scheme)s.") % {"scheme": scheme}
                                ) from None
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidIdentifier(scheme, str(raw), _("%(scheme)s is empty.")
                                % {"scheme": scheme.label})
    if len(raw) > _MAX_RAW:
        raise InvalidIdentifier(scheme, raw[:_MAX_RAW], _("%(scheme)s is far too long.")
                                % {"scheme": scheme.label})
    return _NORMALISERS[scheme](raw)


def eleven_test_warning(identifier: Identifier) -> str | None:
    """A Dutch EORI composed from an RSIN passes the 11-proef; others may not. Only a hint."""
    is_dutch_eori = identifier.scheme == Scheme.EORI and identifier.value.startswith("NL")
    if is_dutch_eori and bsn.checksum(identifier.value[2:]) != 0:
        return _("This EORI number is not based on an RSIN (it fails the 11-proef); that is "
                 "allowed when Customs issued it.")
    return None


def address_key(postcode_raw: str, house_number: str | int, addition: str = "") -> str:
    """The BAG-style key of an address: postcode + house number + addition, e.g. 3011AA-12-B."""
    code = normalise(Scheme.POSTCODE, postcode_raw).value
    number = str(house_number).strip()
    if not number.isdigit() or not 0 < int(number) < 100000:
        raise InvalidIdentifier(Scheme.POSTCODE, f"{postcode_raw} {house_number}",
                                _("A house number is a whole number from 1 to 99999."))
    extra = _clean(addition)
    if extra and not re.fullmatch(r"[A-Z0-9]{1,4}", extra):
        raise InvalidIdentifier(Scheme.POSTCODE, f"{postcode_raw} {house_number} {addition}",
                                _("A house number addition has at most 4 letters or digits."))
    return f"{code}-{int(number)}" + (f"-{extra}" if extra else "")
