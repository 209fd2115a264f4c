"""Name keys: the fast ``name_key`` gives exactly the library-based reference's key.

Keys are stored in the registry (pieces, name tokens) and compared with keys made later, so
any difference, however exotic the input, would split one name into two. Property-based over
arbitrary text and over text built from the parts that matter (legal forms of many countries,
titles, punctuation, accents, other scripts, bidi controls), plus the cases that take the
fast path's fallbacks.
"""

from __future__ import annotations

import pytest
from fingerprints.cleanup import PREFIXES_RAW_LIST
from fingerprints.types.data import TYPES
from hypothesis import example, given, settings
from hypothesis import strategies as st

from havenbeeld.registry.names import clean_display, name_key, name_tokens, reference_name_key

LEGAL_FORMS = sorted({form for entry in TYPES["types"] for form in [entry["main"],
                                                                      *entry["forms"]]})
TRICKY = [
    "", " ", ".", "a", "A.", "B.V.", "bv", "N.V.", "Holding", "Holding B.V.", "Holding N.V.",
    "B.V. Kaaiwacht Container Terminal", "kaaiwacht container terminal bv",
    "Kaaiwacht Container Terminal B.V.", "KAAIWACHT CONTAINER TERMINAL BV",
    "Kaaïwacht Contaïner Términal B.V.", "Kaaiwacht\u200b Container\u202e Terminal\u202c B.V.",
    "\u2067Kaaiwacht\u2069 N.V.", "\ufeffKaaiwacht", "Kaaiwacht\tContainer\nTerminal",
    "Kaaiwacht\x00Container", "Kaai\u00a0wacht", "Kaai\u2003wacht", "Kaai\u00adwacht",
    "V.O.F. De Haven", "C.V. Havenkade", "Stichting 't Haventje", "Coöperatie U.A. Vis",
    "Mr. de Vries", "Mr", "Mr.", "mr mr", "The The", "de", "de de vries", "The B.V.",
    "B.V. de", "Mr. B.V.", "x b.v.", "x", "x y", "1", "12", "Bench Bedrijf 12 B.V.",
    "Müller GmbH & Co. KG", "GmbH & Co. KG", "Société Générale S.A.", "S.p.A. Rossi",
    "Rossi S.p.A.", "Sp. z o.o. Kowalski", "Cia Ltda Perez", "Compania Limitada",
    "Cong Ty TNHH Mot Thanh Vien Saigon", "ООО Ромашка", "Кайвахт Б.В.", "ЗАО Альфа",
    "株式会社 トヨタ", "トヨタ株式会社", "中国远洋海运集团有限公司", "شركة الخليج ذ.م.م",
    "חברה בע\"מ", "Ελληνική Α.Ε.", "Kaaiwacht (Seychelles) Ltd.", "Kaaiwacht [NL] B.V.",
    "O'Brien's Shipping", "Ma’s Haven", "$$$", "A$B", "^^", "`x`", "a_b", "K\u212a",
    "ﬁnance B.V.", "Ⅻ Shipping", "①②③", "İstanbul Liman A.Ş.", "ǅemal d.o.o.",
    "Straße GmbH", "ß", "Æther AS", "Øresund ApS", "x" * 400, "bv " * 100,
    " ".join(["Kaaiwacht"] * 60), "Holding " * 5 + "B.V.", "LLC Limited Liability Company",
    "Limited Liability Company", "Public Limited Company ACME", "ACME plc", "acme inc.",
    "Kaaiwacht B.V. i.o.", "Kaaiwacht BV in oprichting",
]


def _same(name: str) -> None:
    assert name_key(name) == reference_name_key(name), name


@pytest.mark.parametrize("name", TRICKY)
def test_tricky_names_get_the_reference_key(name):
    _same(name)


def test_every_legal_form_alone_and_in_a_name():
    for form in LEGAL_FORMS:
        for name in (form, f"Kaaiwacht {form}", f"{form} Kaaiwacht",
                     f"Mr {form} de Haven {form}", form.upper()):
            _same(name)


def test_the_fast_path_is_on():
    """It switches itself off when ``fingerprints`` or ``normality`` change under it (keys stay
    right, but take ten times as long); then ``names.py`` needs looking at."""
    from havenbeeld.registry import names

    assert names._FAST


def test_known_keys_stay():
    """Keys stored in databases today; a change here would split names in the registry."""
    assert name_key("B.V. Kaaiwacht Container Terminal") == "container kaaiwacht terminal"
    assert name_key("kaaiwacht container terminal bv") == "container kaaiwacht terminal"
    assert name_key("Holding N.V.") == "holding"
    assert name_key("ООО Ромашка") == "romaska"
    assert name_tokens("Bench Bedrijf 12 B.V.") == ["12", "bedrijf", "bench"]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_gets_the_reference_key(name):
    _same(name)


PARTS = st.one_of(
    st.sampled_from(LEGAL_FORMS), st.sampled_from(PREFIXES_RAW_LIST),
    st.sampled_from(["Kaaiwacht", "Haven", "Holding", "Container", "de", "van", "'t", "12",
                     "Müller", "Société", "Ромашка", "トヨタ", "شركة", "Ελληνική", "İ", "ß",
                     "ﬁ", "K"]),
    st.sampled_from([".", ",", "&", "-", "(", ")", "[", "]", "'", "’", "/", "$", "^", "_",
                     "\u200b", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
                     "\ufeff", "\u00ad", "\u00a0", "\t", "\n", "\x00", "\x7f", "\u0301",
                     "\u0308", "\u2028"]),
    st.text(alphabet=st.characters(codec="ascii"), max_size=6),
    st.text(max_size=4),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(PARTS, max_size=8), st.lists(st.sampled_from(["", " ", "  ", "."]),
                                             min_size=8, max_size=8))
@example(["B.V.", "Mr"], [" "] * 8)
@example(["Mr", "B.V."], [" "] * 8)
def test_names_built_of_legal_forms_titles_and_scripts_get_the_reference_key(parts, glue):
    name = "".join(part + sep for part, sep in zip(parts, glue, strict=False))
    _same(name)
    _same(name.upper())
    _same(name.lower())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_clean_display_of_a_name_is_as_before(name):
    """The fast paths of ``clean_display`` against its plain definition."""
    import unicodedata

    from havenbeeld.registry.names import _CONTROL

    text = _CONTROL.sub("", unicodedata.normalize("NFC", name))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    assert clean_display(name) == " ".join(text.split())
