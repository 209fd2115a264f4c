"""Fill a .po catalogue from Python dictionaries of msgid → Dutch (used while translating).

Usage: python scripts/apply_translations.py FILE.po DICT.py [DICT.py ...]
Each DICT.py defines ``T``; plural entries are keyed by a 1-tuple of the singular msgid and hold
[singular, plural]. Entries already translated are kept unless a dictionary has them.
"""

from __future__ import annotations

import runpy
import sys

import polib


def main() -> int:
    po_path, *dict_paths = sys.argv[1:]
    table: dict = {}
    for path in dict_paths:
        table.update(runpy.run_path(path)["T"])
    catalogue = polib.pofile(po_path)
    catalogue.metadata.update({"Language": "nl", "Content-Type": "text/plain; charset=UTF-8",
                               "Plural-Forms": "nplurals=2; plural=(n != 1);"})
    missing = []
    for entry in catalogue:
        known = table.get((entry.msgid,)) if entry.msgid_plural else table.get(entry.msgid)
        if "fuzzy" in entry.flags:
            # makemessages guesses from similar strings; a guess is never kept.
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            if entry.msgid_plural:
                entry.msgstr_plural = {0: "", 1: ""}
            else:
                entry.msgstr = ""
        if known and entry.msgid_plural:
            entry.msgstr_plural = {0: known[0], 1: known[1]}
        elif known:
            entry.msgstr = known
        if not entry.translated():
            missing.append(entry.msgid)
    catalogue.save(po_path)
    print(f"{catalogue.percent_translated()}% translated; missing: {missing[:20]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
