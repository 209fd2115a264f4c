"""The seeded themes (from domain.md) and common values; administrators keep both lists."""

from __future__ import annotations

from typing import Any

THEMES = [
    ("drugs", "Drugsimport en -export",
     "Smokkel van verdovende middelen via containers, schepen of de haven (rip-on/rip-off, "
     "deklading, verborgen in lading of constructie)."),
    ("uithalers", "Uithalers",
     "Personen die drugs uit containers op terminals halen; onbevoegd op het terrein, "
     "verstopt in containers, opvallende voertuigen."),
    ("insiders", "Insiders en corruptie van havenpersoneel",
     "Medewerkers van terminals, rederijen, overheid of dienstverleners die informatie, "
     "toegang of handelingen leveren aan criminelen."),
    ("pincode", "PIN-code- en vrijgavefraude",
     "Misbruik van vrijgavecodes (PIN-codes) om containers op te halen."),
    ("malafide", "Malafide bedrijven",
     "Bedrijven die als dekmantel of facilitator dienen: katvangers, flexadressen, snelle "
     "wisselingen van bestuurders, lege bv's."),
    ("geldstromen", "Criminele geldstromen",
     "Witwassen, contante betalingen, ondergronds bankieren, opvallende transacties."),
    ("mensensmokkel", "Mensensmokkel en -handel",
     "Verstekelingen, mensensmokkel via de haven, uitbuiting van werknemers."),
    ("afval", "Illegaal afval",
     "Illegale export of dumping van afvalstoffen."),
    ("fraude", "Fraude",
     "Douane-, belasting- of documentfraude (valse ladingpapieren, onderwaardering)."),
    ("overig", "Overig", "Een ondermijnend signaal dat in geen ander thema past."),
]


COMMON_VALUES = [
    {"kind": "name", "scheme": "", "value_normalised": "holding", "value": "Holding B.V.",
     "reason": "Naam zonder onderscheidend deel: zegt niets over één bedrijf."},
]


def seed_into(theme_model: Any, common_model: Any) -> None:
    """Create or refresh the seeded rows (used by the data migration and by tests that flush
    the database)."""
    for order, (code, name, description) in enumerate(THEMES, start=1):
        theme_model.objects.update_or_create(code=code, defaults={
            "name": name, "description": description, "order": order * 10})
    for value in COMMON_VALUES:
        common_model.objects.get_or_create(
            kind=value["kind"], scheme=value["scheme"],
            value_normalised=value["value_normalised"],
            defaults={"value": value["value"], "reason": value["reason"]})


def seed() -> None:
    from havenbeeld.signals.models import CommonValue, Theme

    seed_into(Theme, CommonValue)
