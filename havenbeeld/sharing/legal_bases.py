"""The initial catalogue of legal bases (../shared/domain.md §1 and §3).

Article numbers that domain.md marks as general knowledge are left out of the names; the
descriptions say what the basis is for. Administrators keep the catalogue afterwards.
"""

from __future__ import annotations

LEGAL_BASES: tuple[dict, ...] = (
    {"code": "riec-convenant", "name": "RIEC-convenant en privacyprotocol",
     "description": "Sharing between convenant partners within the RIEC (convenant 2014, "
                    "privacy protocol April 2020).", "public_only": True,
     "allows_bsn": True, "retention_days": 5 * 365},
    {"code": "wgs", "name": "Wet gegevensverwerking door samenwerkingsverbanden (WGS)",
     "description": "Statutory basis for designated partnerships (including the RIECs) since "
                    "1 March 2025; allows limited exchange with private parties.",
     "public_only": False, "allows_bsn": True, "retention_days": 5 * 365},
    {"code": "wpg", "name": "Wet politiegegevens (zwaarwegend algemeen belang)",
     "description": "Police data shared for a compelling general interest, incidentally or "
                    "within a structural partnership, with consent of the competent authority.",
     "public_only": True, "allows_bsn": True, "retention_days": 5 * 365},
    {"code": "wjsg", "name": "Wet justitiële en strafvorderlijke gegevens",
     "description": "Judicial and criminal-procedure data of the Public Prosecution Service.",
     "public_only": True, "allows_bsn": True, "retention_days": 5 * 365},
    {"code": "awr-douane", "name": "Algemene wet inzake rijksbelastingen (Douane, Belastingdienst)",
     "description": "Customs and tax data under the confidentiality regime with its statutory "
                    "exceptions for RIEC cooperation.", "public_only": True,
     "allows_bsn": True, "retention_days": 5 * 365},
    {"code": "bibob", "name": "Wet Bibob",
     "description": "Integrity screening; onward sharing of Bibob information is restricted.",
     "public_only": True, "allows_bsn": False, "retention_days": 5 * 365},
    {"code": "avg-publieke-taak", "name": "AVG – publieke taak (gemeente)",
     "description": "Municipal data processed for a public task (permits, enforcement).",
     "public_only": True, "allows_bsn": False, "retention_days": 5 * 365},
    {"code": "publiek-privaat", "name": "Publiek-private afspraak havenaanpak",
     "description": "Signals and information shared by private partners under the port "
                    "approach's public-private agreements (ISPS security, own observations).",
     "public_only": False, "allows_bsn": False, "retention_days": 2 * 365},
    {"code": "openbaar-register", "name": "Openbaar register (Handelsregister, Kadaster)",
     "description": "Facts from public registers such as the KvK Handelsregister.",
     "public_only": False, "allows_bsn": False, "retention_days": 10 * 365},
)


def seed(model: type | None = None) -> None:
    """Create or update the catalogue (the data migration and test worlds call this)."""
    if model is None:
        from havenbeeld.sharing.models import LegalBasis as model
    for spec in LEGAL_BASES:
        model.objects.update_or_create(code=spec["code"], defaults=spec)
