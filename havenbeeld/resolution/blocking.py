"""Blocking keys: which records are worth comparing at all.

Two records are compared when they share a key. The same keys are computed for the batch run
(joined in DuckDB) and stored per object in the database for the real-time candidate lookup, so
both find the same candidates. A key held by more than ``MAX_BLOCK`` records (a flex-office
address, "Holding", a very common name with a common birth year) says too little to compare all
its holders pairwise; such keys are skipped, and the records meet through their other keys.
"""

from __future__ import annotations

from typing import Any

from havenbeeld.resolution.features import PERSON

MAX_BLOCK = 80
# Name words too common to block on whatever their count in one data set.
_STOP_WORDS = frozenset({"holding", "holdings", "beheer", "group", "groep", "international",
                         "nederland", "rotterdam", "trading", "logistics", "logistiek",
                         "transport", "services", "de", "van", "en", "the", "and", "of"})


def distinctive_tokens(row: dict[str, Any]) -> list[str]:
    """The words of a company name that say something: four letters or more, not a number,
    not a word every other company name has."""
    return [token for token in row.get("name_tokens") or ()
            if len(token) >= 4 and token not in _STOP_WORDS and not token.isdigit()]


def name_block_key(row: dict[str, Any]) -> str | None:
    """The key of ``blocking_keys`` that every record of exactly this name key holds (and no
    other record): how many objects hold the name, for the rare-name rule."""
    name_key = row.get("name_key")
    if not name_key:
        return None
    return f"pk:{name_key}" if row["entity_type"] == PERSON else f"cn:{name_key}"


def blocking_keys(row: dict[str, Any]) -> set[str]:
    keys: set[str] = {f"i:{token}" for token in row.get("identifiers") or ()}
    postcode, number = row.get("postcode"), row.get("house_number")
    if postcode and number:
        keys.add(f"a:{postcode}:{number}")
    if row["entity_type"] == PERSON:
        first, initial = row.get("first_name"), row.get("first_initial")
        core, phonetic = row.get("last_core"), row.get("last_phonetic")
        birth = row.get("birth_date")
        if core and initial:
            keys.add(f"pn:{core}:{initial}")
        if first and phonetic:
            keys.add(f"pq:{first}:{phonetic}")
        if birth:
            if initial:
                keys.add(f"pb:{birth}:{initial}")
            if core:
                keys.add(f"pc:{birth}:{core[0]}")
            if phonetic:
                keys.add(f"pp:{phonetic}:{birth[:4]}")
        if first and postcode:
            keys.add(f"pf:{first}:{postcode}")
        if row.get("name_key"):
            keys.add(f"pk:{row['name_key']}")  # first and last name in either order
        if birth and postcode:
            keys.add(f"pd:{birth}:{postcode}")
        if birth and number:
            keys.add(f"pe:{birth}:{number}")
        if core and number:
            keys.add(f"ph:{core}:{number}")
        if row.get("street") and number:
            keys.add(f"ps:{row['street']}:{number}")
        if core and postcode:
            keys.add(f"pl:{core}:{postcode}")
        return keys
    name_key = row.get("name_key")
    if name_key:
        keys.add(f"cn:{name_key}")
        keys |= {f"ct:{token}" for token in distinctive_tokens(row)}
        if row.get("founded"):
            keys.add(f"cf:{row['founded']}:{name_key[0]}")
    return keys
