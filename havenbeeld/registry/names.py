"""Name normalisation for matching and search, with the ``fingerprints`` library.

``name_key`` removes legal forms (B.V., N.V., V.O.F., Holding is kept), accents and case and
sorts the words, so "B.V. Kaaiwacht Container Terminal" and "kaaiwacht container terminal bv"
get the same key. Look-alike letters from other scripts are folded to ASCII by the library's
transliteration, and bidirectional control characters are dropped first.

Keys are stored (``Piece.value_normalised``, name tokens) and compared with keys made later, so
a key must never change. ``reference_name_key`` is the definition, through the library's own
functions; ``name_key`` gives exactly the same key, faster (``tests/test_names.py`` compares
them on arbitrary text). The library spends its time in two regular expressions with an
alternation of some 800 legal forms, run over every name twice (once to remove the forms, once
to replace them by their main spelling). After the library's ASCII cleaning a name is nothing
but words of ``[a-z0-9]`` between single spaces, and a legal form is a sequence of such words,
so the same matches — leftmost, longest form first, whole words only — are found with set
look-ups per word. Names whose cleaning is plain ASCII are cleaned with one ``str.translate``
table derived from the library's own cleaning; other scripts go through the library's
cleaning (ICU). Whatever the fast path does not cover (a name that is nothing but a legal
form, or a single letter or digit without it) is handed to the reference.

The fast path reads parts of the libraries that are not their documented interface (the legal
forms, the title prefixes, the character cleaning). Should a later ``fingerprints`` or
``normality`` change them, the fast path switches itself off (it cannot be built, or it keys
the examples of ``_SELF_CHECK`` differently from the reference) and ``name_key`` is the
reference: slower, never different.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import fingerprints

_CONTROL = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# ASCII characters of Unicode category C (all Cc): what ``clean_display`` drops of ASCII text.
_ASCII_CONTROL = dict.fromkeys([*range(32), 127])
KEY_MAX = 255
KEY_CACHE = 2**15  # names remembered with their key (a registry repeats its names)


def clean_display(name: str, *, keep_newlines: bool = False) -> str:
    """The text as shown: control and bidi-override characters removed, spaces collapsed.
    With ``keep_newlines`` (free text) line breaks stay, at most one empty line in a row."""
    if not keep_newlines and name.isascii():
        # ASCII is its own NFC and holds no bidi controls: only the C0 controls and DEL to drop.
        return " ".join(name.translate(_ASCII_CONTROL).split())
    text = _CONTROL.sub("", unicodedata.normalize("NFC", name))
    if not keep_newlines:
        # ``isprintable`` is false for every character of category C (and for separators
        # other than the space): only then is the text looked at a character at a time.
        if not text.isprintable():
            text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
        return " ".join(text.split())
    lines = ["".join(ch for ch in line if unicodedata.category(ch)[0] != "C")
             for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = [" ".join(line.split()) for line in lines]
    text = "\n".join(cleaned)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def reference_name_key(name: str) -> str:
    """The definition of a name's key, through the library (slow; ``name_key`` is the same)."""
    cleaned = clean_display(name)
    return _reference_key(cleaned)


def _reference_key(cleaned: str) -> str:
    without_form = fingerprints.remove_types(cleaned) or cleaned
    key = fingerprints.generate(without_form) or fingerprints.generate(cleaned) or ""
    return key[:KEY_MAX]


# --- The fast path ------------------------------------------------------------------------------

_WORD_TEXT = re.compile(r"[a-z0-9]+( [a-z0-9]+)*")
_WORD_CHARACTERS = frozenset(["", " ", *"abcdefghijklmnopqrstuvwxyz0123456789"])


def _ascii_cleaning_table() -> dict[int, str | None] | None:
    """``clean_name_ascii`` of ASCII text, one character at a time, as a ``str.translate``
    table: quote and full stop dropped (``CHARACTERS_REMOVE_RE``), lower case, then the
    library's category replacement (punctuation and symbols become spaces, currency and
    modifier symbols go). None if a character would become something other than a letter,
    digit or space (then the fast path would be wrong, and is not used)."""
    table: dict[int, str | None] = {}
    for code in range(128):
        out = category_replace(CHARACTERS_REMOVE_RE.sub("", chr(code)).lower())
        if out not in _WORD_CHARACTERS:
            return None
        table[code] = out or None
    return table


def _forms(remove: bool) -> tuple[dict[str, str], dict[str, int]]:
    """The library's legal forms as normalised word sequences: form → what replaces it (its
    main form; "" when removing, where main forms are removed too), and per first word the
    most words a form starting with it has."""
    replacer = get_replacer(clean_name_ascii, remove=True) if remove else get_replacer()
    replacements: dict[str, str] = dict(replacer.replacements)
    if remove:
        replacements = dict.fromkeys({*replacements, *replacements.values()}, "")
    longest: dict[str, int] = {}
    for form in replacements:
        if not _WORD_TEXT.fullmatch(form):
            raise ValueError(f"legal form {form!r} is not plain words")
        words = form.split(" ")
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return replacements, longest


def _replace_forms(words: list[str], forms: dict[str, str], longest: dict[str, int]
                   ) -> list[str]:
    """The library's ``Replacer`` on words: from the left, at each word the longest form that
    starts there is replaced (by its main form's words, or by nothing) and the scan goes on
    after it; words outside a form stay."""
    out: list[str] = []
    i, count = 0, len(words)
    while i < count:
        most = longest.get(words[i])
        if most:
            for size in range(min(most, count - i), 0, -1):
                replacement = forms.get(" ".join(words[i:i + size]))
                if replacement is not None:
                    if replacement:
                        out += replacement.split(" ")
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        else:
            out.append(words[i])
            i += 1
    return out


try:
    from fingerprints.cleanup import CHARACTERS_REMOVE_RE, PREFIXES_RAW_LIST, clean_name_ascii
    from fingerprints.types.replacer import get_replacer
    from normality import category_replace

    _ASCII_CLEANING = _ascii_cleaning_table()
    _REMOVE, _REMOVE_LONGEST = _forms(remove=True)
    _REPLACE, _REPLACE_LONGEST = _forms(remove=False)
    # ``clean_entity_prefix`` takes titles ("mr", "the", "de") off the front,
    # case-insensitively, each followed by whitespace; on cleaned ASCII words only the ASCII
    # ones can match.
    _PREFIXES = frozenset(p.lower() for p in PREFIXES_RAW_LIST if p.isascii())
    _FAST = True
except (ImportError, AttributeError, ValueError):  # the libraries changed: the reference only
    _FAST = False


@lru_cache(maxsize=KEY_CACHE)
def _key(cleaned: str) -> str:
    # remove_types: the library's ASCII cleaning, then the legal forms removed.
    if _ASCII_CLEANING is not None and cleaned.isascii():
        words = cleaned.translate(_ASCII_CLEANING).split()
        if len(" ".join(words)) < 2:  # clean_name_ascii gives None
            return _reference_key(cleaned)
    else:
        ascii_words = clean_name_ascii(cleaned)
        if ascii_words is None:
            return _reference_key(cleaned)
        words = ascii_words.split(" ")
    words = _replace_forms(words, _REMOVE, _REMOVE_LONGEST)
    if not words:  # only a legal form: the library keys the name as it is
        return _reference_key(cleaned)
    # fingerprint() of the result: prefixes off the front (never the last word, which has no
    # whitespace after it), brackets and cleaning change nothing more in plain words.
    start = 0
    while start < len(words) - 1 and words[start] in _PREFIXES:
        start += 1
    if start:
        words = words[start:]
    if len(words) == 1 and len(words[0]) < 2:  # clean_name_ascii gives None
        return _reference_key(cleaned)
    words = _replace_forms(words, _REPLACE, _REPLACE_LONGEST)
    key = " ".join(sorted(set(words)))
    if not key:
        return _reference_key(cleaned)
    return key[:KEY_MAX]


def name_key(name: str) -> str:
    """Canonical key of a name: without legal form, accents, case or word order. Exactly
    ``reference_name_key``; see the module's docstring for how it is faster."""
    cleaned = clean_display(name)
    return _key(cleaned) if _FAST else _reference_key(cleaned)


# Names that take every branch of the fast path; checked against the reference on import.
_SELF_CHECK = ("B.V. Kaaiwacht Container Terminal", "Mr. de Vries Holding N.V.", "The B.V.",
               "x b.v.", "de de vries", "Cia Ltda Perez", "Société Générale S.A.",
               "ООО Ромашка", "株式会社 トヨタ", "O'Brien's (Seychelles) Ltd.", "A$B^C_D", "B.V.")
if _FAST and any(_key(name) != _reference_key(name)
                 for name in (clean_display(example) for example in _SELF_CHECK)):
    _FAST = False
_key.cache_clear()


def name_tokens(name: str) -> list[str]:
    return name_key(name).split()
