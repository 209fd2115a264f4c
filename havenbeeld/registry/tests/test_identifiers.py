"""Identifier normalisation: table-driven Dutch edge cases plus property-based tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import imo, iso6346
from stdnum.nl import bsn

from havenbeeld.registry.identifiers import (
    InvalidIdentifier,
    Scheme,
    address_key,
    eleven_test_warning,
    normalise,
)


@pytest.mark.parametrize(("scheme", "raw", "value", "display"), [
    (Scheme.KVK, "1234 5678", "12345678", "12345678"),
    (Scheme.KVK, "KvK 12.34.56.78", "12345678", "12345678"),
    (Scheme.VESTIGING, "0000-1234-5678", "000012345678", "000012345678"),
    (Scheme.RSIN, "4495445", "004495445", "004495445"),
    (Scheme.BSN, "111 222 333", "111222333", "1112.22.333"),
    (Scheme.BTW, "nl 0044.95.445.b01", "NL004495445B01", "NL004495445B01"),
    (Scheme.BTW, "002455799B11", "NL002455799B11", "NL002455799B11"),
    (Scheme.EORI, "nl 004495445", "NL004495445", "NL004495445"),
    (Scheme.EORI, "004495445", "NL004495445", "NL004495445"),
    (Scheme.EORI, "DE1234567890123", "DE1234567890123", "DE1234567890123"),
    (Scheme.IMO, "IMO 9319466", "9319466", "IMO 9319466"),
    (Scheme.IMO, "imo9319466", "9319466", "IMO 9319466"),
    (Scheme.MMSI, "244 123 456", "244123456", "244123456"),
    (Scheme.CONTAINER, "csqu 305438-3", "CSQU3054383", "CSQU 305438 3"),
    (Scheme.IBAN, "nl91abna0417164300", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"),
    (Scheme.POSTCODE, "3011aa", "3011AA", "3011 AA"),
    (Scheme.KVK, "１２３４５６７８", "12345678", "12345678"),  # full-width digits
])
def test_common_spellings_normalise_to_one_value(scheme, raw, value, display):
    identifier = normalise(scheme, raw)
    assert identifier.value == value
    assert identifier.display == display


@pytest.mark.parametrize(("scheme", "raw", "fragment"), [
    (Scheme.KVK, "1234567", "8 cijfers"),
    (Scheme.KVK, "1234567A", "alleen cijfers"),
    (Scheme.VESTIGING, "12345678", "12 cijfers"),
    (Scheme.RSIN, "123456789", "11-proef"),
    (Scheme.BSN, "123456789", "11-proef"),
    (Scheme.BTW, "NL123456789B01", "controle"),
    (Scheme.BTW, "NL12345", "NL123456789B01"),
    (Scheme.EORI, "NL12345", "NL gevolgd door 9 cijfers"),
    (Scheme.IMO, "IMO 9319467", "controlecijfer"),
    (Scheme.IMO, "93194", "7 cijfers"),
    (Scheme.MMSI, "002441234", "schipstation"),
    (Scheme.MMSI, "99123456", "9 cijfers"),
    (Scheme.CONTAINER, "CSQU3054384", "CSQU 305438 3"),
    (Scheme.CONTAINER, "CSQ3054383", "4 letters"),
    (Scheme.IBAN, "NL91ABNA0417164301", "controle"),
    (Scheme.POSTCODE, "0123AB", "4 cijfers"),
    (Scheme.POSTCODE, "1234SS", "4 cijfers"),
    (Scheme.KVK, "", "leeg"),
    (Scheme.KVK, "1" * 500, "te lang"),
])
def test_invalid_identifiers_get_a_clear_dutch_message(scheme, raw, fragment):
    with pytest.raises(InvalidIdentifier) as caught:
        normalise(scheme, raw)
    assert fragment in caught.value.message


def test_a_wrong_container_check_digit_offers_the_corrected_number_without_applying_it():
    with pytest.raises(InvalidIdentifier) as caught:
        normalise(Scheme.CONTAINER, "CSQU 305438 4")
    assert caught.value.suggestion == "CSQU3054383"


def test_a_wrong_imo_check_digit_offers_the_corrected_number():
    with pytest.raises(InvalidIdentifier) as caught:
        normalise(Scheme.IMO, "9319467")
    assert caught.value.suggestion == "9319466"


def test_an_eori_not_based_on_an_rsin_gives_only_a_hint():
    assert eleven_test_warning(normalise(Scheme.EORI, "NL004495445")) is None
    assert eleven_test_warning(normalise(Scheme.EORI, "NL123456789")) is not None


def test_address_keys():
    assert address_key("3011 aa", "12", "b") == "3011AA-12-B"
    assert address_key("3011AA", 7) == "3011AA-7"
    with pytest.raises(InvalidIdentifier):
        address_key("3011AA", "twaalf")
    with pytest.raises(InvalidIdentifier):
        address_key("3011AA", 12, "<script>")


# --- Property-based ------------------------------------------------------------------------

separators = st.sampled_from(["", " ", ".", "-", "  "])


def spell(text: str, data: st.DataObject) -> str:
    """Write ``text`` as a person might: random case and separators between characters."""
    out = []
    for char in text:
        out.append(char.lower() if data.draw(st.booleans()) else char)
        out.append(data.draw(separators))
    return "".join(out)


@st.composite
def valid_imo(draw):
    first = draw(st.text("0123456789", min_size=6, max_size=6))
    return first + imo.calc_check_digit(first)


@st.composite
def valid_container(draw):
    owner = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3))
    serial = draw(st.text("0123456789", min_size=6, max_size=6))
    base = owner + "U" + serial
    return base + iso6346.calc_check_digit(base)


@st.composite
def valid_bsn(draw):
    while True:
        first = draw(st.text("0123456789", min_size=8, max_size=8))
        for last in "0123456789":
            if bsn.checksum(first + last) == 0:
                return first + last


@given(number=valid_imo(), data=st.data())
def test_any_spelling_of_a_valid_imo_normalises_to_the_same_value(number, data):
    assert normalise(Scheme.IMO, "IMO " + spell(number, data)).value == number


@given(number=valid_container(), data=st.data())
def test_any_spelling_of_a_valid_container_number_normalises_the_same(number, data):
    assert normalise(Scheme.CONTAINER, spell(number, data)).value == number


@given(number=valid_container(), replacement=st.sampled_from("0123456789"))
def test_a_wrong_container_check_digit_is_always_caught_and_corrected(number, replacement):
    # (A changed serial digit is not always caught: ISO 6346 folds a remainder of 10 to 0.)
    changed = number[:10] + replacement
    if changed == number:
        return
    with pytest.raises(InvalidIdentifier) as caught:
        normalise(Scheme.CONTAINER, changed)
    assert caught.value.suggestion == number


@given(number=valid_bsn())
def test_rsin_and_bsn_accept_what_passes_the_eleven_test(number):
    assert normalise(Scheme.RSIN, number).value == number
    assert normalise(Scheme.BSN, number).value == number


@given(scheme=st.sampled_from(list(Scheme)), raw=st.text(max_size=80))
def test_normalise_never_crashes_on_arbitrary_text(scheme, raw):
    try:
        identifier = normalise(scheme, raw)
    except InvalidIdentifier as exc:
        assert exc.message
    else:
        assert normalise(scheme, identifier.value) == identifier  # idempotent


@pytest.mark.parametrize(("raw", "value", "display"), [
    ("3011 AA 12", "3011AA-12", "3011 AA 12"),
    ("3011aa, 12-b", "3011AA-12-B", "3011 AA 12-B"),
    ("3011AA12 bis", "3011AA-12-BIS", "3011 AA 12-BIS"),
])
def test_addresses_by_postcode_house_number_and_addition(raw, value, display):
    identifier = normalise(Scheme.ADDRESS, raw)
    assert (identifier.value, identifier.display) == (value, display)


def test_a_malformed_address_is_refused():
    with pytest.raises(InvalidIdentifier):
        normalise(Scheme.ADDRESS, "Waalhaven 12")
