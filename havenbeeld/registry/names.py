"""Name normalisation for matching and search, with the ``fingerprints`` library.

``name_key`` removes legal forms (B.V., N.V., V.O.F., Holding is kept), accents and case and
sorts the words, so "B.V. Kaaiwacht Container Terminal" and "kaaiwacht container terminal bv"
get the same key. Look-alike letters from other scripts are folded to ASCII by the library's
transliteration, and bidirectional control characters are dropped first.
"""

from __future__ import annotations

import re
import unicodedata

import fingerprints

_CONTROL = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_display(name: str, *, keep_newlines: bool = False) -> str:
    """The text as shown: control and bidi-override characters removed, spaces collapsed.
    With ``keep_newlines`` (free text) line breaks stay, at most one empty line in a row."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", name))
    if not keep_newlines:
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
        return " ".join(text.split())
    lines = ["".join(ch for ch in line if unicodedata.category(ch)[0] != "C")
             for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cleaned = [" ".join(line.split()) for line in lines]
    text = "\n".join(cleaned)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def name_key(name: str) -> str:
    """Canonical key of a name: without legal form, accents, case or word order."""
    cleaned = clean_display(name)
    without_form = fingerprints.remove_types(cleaned) or cleaned
    key = fingerprints.generate(without_form) or fingerprints.generate(cleaned) or ""
    return key[:255]


def name_tokens(name: str) -> list[str]:
    return name_key(name).split()
