"""The synthetic port world, first layer: ports, partner organisations and demo users.

Everything here is fictitious except public facts (port names, areas, terminals and the names of
public authorities). Building is idempotent: running it again updates what exists and adds
nothing twice. Demo users get a fixed password and a TOTP secret derived from the seed, so the
README can list them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from django_otp.plugins.otp_totp.models import TOTPDevice

from havenbeeld.accounts.models import Organisation, OrganisationKind, Role, Sector, User
from havenbeeld.audit import events
from havenbeeld.demo.places_data import PORTS
from havenbeeld.places.models import Port, PortArea

DEMO_PASSWORD = "Havenbeeld-demo-2026"  # noqa: S105 — demo only; the command refuses production
DEFAULT_SEED = 1
DEFAULT_SCALE = 300

K = OrganisationKind


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: OrganisationKind
    sector: Sector
    region: str
    ports: tuple[str, ...]
    domain: str


@dataclass(frozen=True)
class UserSpec:
    email: str
    full_name: str
    organisation: str
    role: Role
    function: str


_PUB, _PRIV = Sector.PUBLIC, Sector.PRIVATE
_RDAM = ("Rotterdam",)
_NORTH = ("Eemshaven", "Delfzijl", "Harlingen", "Lauwersoog")
_ZWB = ("Vlissingen", "Terneuzen", "Moerdijk")

ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("RIEC Rotterdam", K.RIEC, _PUB, "rotterdam", _RDAM, "riec-rotterdam.example"),
    OrgSpec("RIEC Zeeland-West-Brabant", K.RIEC, _PUB, "zeeland-west-brabant", _ZWB,
            "riec-zwb.example"),
    OrgSpec("RIEC Noord", K.RIEC, _PUB, "noord", _NORTH, "riec-noord.example"),
    OrgSpec("Politie Eenheid Rotterdam – Zeehavenpolitie", K.POLICE, _PUB, "rotterdam", _RDAM,
            "zeehavenpolitie.example"),
    OrgSpec("Politie Eenheid Noord-Nederland", K.POLICE, _PUB, "noord", _NORTH,
            "politie-noord.example"),
    OrgSpec("Douane Rotterdam Rijnmond", K.CUSTOMS, _PUB, "rotterdam", _RDAM,
            "douane-rotterdam.example"),
    OrgSpec("Koninklijke Marechaussee – Brigade Zeehavens", K.KMAR, _PUB, "landelijk",
            ("Rotterdam", "Vlissingen", "Eemshaven"), "kmar-zeehavens.example"),
    OrgSpec("Openbaar Ministerie – Arrondissementsparket Rotterdam", K.OM, _PUB, "rotterdam",
            _RDAM, "om-rotterdam.example"),
    OrgSpec("Belastingdienst / FIOD", K.TAX, _PUB, "landelijk", (), "fiod.example"),
    OrgSpec("Gemeente Rotterdam", K.MUNICIPALITY, _PUB, "rotterdam", _RDAM,
            "gemeente-rotterdam.example"),
    OrgSpec("Gemeente Vlissingen", K.MUNICIPALITY, _PUB, "zeeland-west-brabant", ("Vlissingen",),
            "gemeente-vlissingen.example"),
    OrgSpec("Gemeente Het Hogeland", K.MUNICIPALITY, _PUB, "noord", ("Eemshaven", "Lauwersoog"),
            "gemeente-hethogeland.example"),
    OrgSpec("Divisie Havenmeester Rotterdam", K.HARBOUR_MASTER, _PUB, "rotterdam", _RDAM,
            "havenmeester-rotterdam.example"),
    OrgSpec("Havenbedrijf Rotterdam", K.PORT_AUTHORITY, _PUB, "rotterdam", _RDAM,
            "havenbedrijf-rotterdam.example"),
    # Private partners: invented companies.
    OrgSpec("Kaaiwacht Container Terminal B.V.", K.CONTAINER_TERMINAL, _PRIV, "rotterdam",
            _RDAM, "kaaiwacht-terminal.example"),
    OrgSpec("Noordstroom Lijndienst B.V.", K.SHIPPING_LINE, _PRIV, "rotterdam",
            ("Rotterdam", "Vlissingen"), "noordstroom-lijndienst.example"),
    OrgSpec("Visserijcoöperatie Wadkust U.A.", K.FISHERY, _PRIV, "noord",
            ("Lauwersoog", "Harlingen"), "wadkust-visserij.example"),
    OrgSpec("Havenkring Zuidwest", K.ASSOCIATION, _PRIV, "zeeland-west-brabant", _ZWB,
            "havenkring-zuidwest.example"),
    OrgSpec("Poortwachters Beveiliging B.V.", K.OTHER, _PRIV, "rotterdam",
            ("Rotterdam", "Moerdijk"), "poortwachters.example"),
)

R = Role
USERS: tuple[UserSpec, ...] = (
    UserSpec("beheer@riec-rotterdam.example", "Marloes de Groot", "RIEC Rotterdam",
             R.PLATFORM_ADMIN, "Functioneel beheerder Havenbeeld"),
    UserSpec("coordinator@riec-rotterdam.example", "Sanne Verbeek", "RIEC Rotterdam",
             R.COORDINATOR, "Coördinator havenaanpak"),
    UserSpec("analist@riec-rotterdam.example", "Youssef El Amrani", "RIEC Rotterdam",
             R.ANALYST, "Analist ondermijning"),
    UserSpec("analist@riec-noord.example", "Wietske Hoekstra", "RIEC Noord", R.ANALYST,
             "Analist noordelijke zeehavens"),
    UserSpec("coordinator@zeehavenpolitie.example", "Marco Jansen",
             "Politie Eenheid Rotterdam – Zeehavenpolitie", R.COORDINATOR, "Teamchef"),
    UserSpec("analist@zeehavenpolitie.example", "Ingrid Bakker",
             "Politie Eenheid Rotterdam – Zeehavenpolitie", R.ANALYST, "Informatierechercheur"),
    UserSpec("coordinator@douane-rotterdam.example", "Erik de Wit", "Douane Rotterdam Rijnmond",
             R.COORDINATOR, "Teamleider risicoanalyse"),
    UserSpec("analist@douane-rotterdam.example", "Priya Ramdin", "Douane Rotterdam Rijnmond",
             R.ANALYST, "Risicoanalist"),
    UserSpec("coordinator@gemeente-rotterdam.example", "Hans Mulder", "Gemeente Rotterdam",
             R.COORDINATOR, "Programmamanager ondermijning"),
    UserSpec("handhaving@gemeente-rotterdam.example", "Fleur Smit", "Gemeente Rotterdam",
             R.READER, "Handhaver haven"),
    UserSpec("security@kaaiwacht-terminal.example", "Linda Kok",
             "Kaaiwacht Container Terminal B.V.", R.COORDINATOR, "Security manager (PFSO)"),
    UserSpec("meldkamer@kaaiwacht-terminal.example", "Tom Visser",
             "Kaaiwacht Container Terminal B.V.", R.CONTRIBUTOR, "Medewerker beveiliging"),
    UserSpec("security@noordstroom-lijndienst.example", "Ahmed Benali",
             "Noordstroom Lijndienst B.V.", R.CONTRIBUTOR, "Security officer"),
    UserSpec("vaarwegen@havenmeester-rotterdam.example", "Joost Hofman",
             "Divisie Havenmeester Rotterdam", R.CONTRIBUTOR, "Nautisch informatiemanager"),
)


def totp_key(seed: int, email: str) -> bytes:
    """The demo user's TOTP key: 20 bytes derived from the seed and the e-mail address."""
    return hmac.new(f"havenbeeld-demo-{seed}".encode(), email.encode(), hashlib.sha256).digest()[
        :20
    ]


def totp_secret_base32(seed: int, email: str) -> str:
    return base64.b32encode(totp_key(seed, email)).decode("ascii")


class DemoRefused(Exception):
    pass


def assert_demo_allowed() -> None:
    if settings.IS_PRODUCTION:
        raise DemoRefused(
            "The demo world is never built with production settings (HAVENBEELD_ENV=production). "
            "Set HAVENBEELD_ENV=demo or development. / De demowereld wordt nooit met "
            "productie-instellingen gebouwd."
        )


def is_built(seed: int) -> bool:
    """Whether the demo world of ``seed`` was built in this database."""
    from havenbeeld.audit.models import AuditEvent, EventType

    return AuditEvent.objects.filter(event_type=EventType.DEMO_WORLD_BUILT,
                                     details__seed=seed).exists()


@transaction.atomic
def build(seed: int = DEFAULT_SEED, scale: int = DEFAULT_SCALE) -> dict[str, int]:
    """Create or update the demo world. Returns counts of what exists.

    The first layer (ports, organisations, users) is updated on every run; the second layer
    (registry objects and pieces) and the third (signals, ``signals_world``) are generated once
    per seed at the given ``scale`` (number of companies; 0 leaves them out).
    """
    from havenbeeld.core.database import refresh_statistics
    from havenbeeld.demo import registry_world, signals_world
    from havenbeeld.sharing.legal_bases import seed as seed_legal_bases

    assert_demo_allowed()
    seed_legal_bases()
    ports = _build_places()
    organisations = _build_organisations(ports)
    _build_users(seed, organisations)
    registry = {}
    if scale:
        from havenbeeld.resolution import services as resolution

        fresh = not registry_world.is_built(seed)
        registry = registry_world.build(seed, scale)
        if fresh:  # link what the partners told, as the platform would
            resolution.run_batch(retrain=True)
        # Third layer: signals through the real pipeline, correlated with what is linked now.
        registry.update(signals_world.build(seed, scale))
        registry["clusters"] = resolution.cluster_count()
        refresh_statistics()  # the planner's view of what was just generated
    counts = {
        "ports": Port.objects.count(),
        "port_areas": PortArea.objects.filter(kind=PortArea.Kind.AREA).count(),
        "terminals": PortArea.objects.filter(kind=PortArea.Kind.TERMINAL).count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        **registry,
    }
    events.demo_world_built(seed, counts)
    return counts


def _build_places() -> dict[str, Port]:
    ports = {}
    for spec in PORTS:
        port, _ = Port.objects.update_or_create(
            slug=slugify(spec.name),
            defaults={"name": spec.name, "province": spec.province, "riec_region": spec.riec,
                      "authority": spec.authority, "latitude": spec.lat, "longitude": spec.lon},
        )
        ports[spec.name] = port
        for area_spec in spec.areas:
            area, _ = PortArea.objects.update_or_create(
                port=port, slug=slugify(area_spec.name),
                defaults={"name": area_spec.name, "kind": PortArea.Kind.AREA, "parent": None,
                          "description": area_spec.description,
                          "latitude": area_spec.lat, "longitude": area_spec.lon},
            )
            for i, (terminal, description) in enumerate(area_spec.terminals):
                PortArea.objects.update_or_create(
                    port=port, slug=slugify(terminal),
                    defaults={"name": terminal, "kind": PortArea.Kind.TERMINAL, "parent": area,
                              "description": description,
                              # Spread pins a little around the area centroid.
                              "latitude": round(area_spec.lat + 0.004 * (i - 1), 5),
                              "longitude": round(area_spec.lon + 0.006 * (i - 1), 5)},
                )
    return ports


def _build_organisations(ports: dict[str, Port]) -> dict[str, Organisation]:
    organisations = {}
    for spec in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            name=spec.name,
            defaults={"kind": spec.kind, "sector": spec.sector, "region": spec.region,
                      "email_domains": spec.domain, "active": True},
        )
        organisation.ports.set([ports[name] for name in spec.ports])
        organisations[spec.name] = organisation
    return organisations


def _build_users(seed: int, organisations: dict[str, Organisation]) -> None:
    for spec in USERS:
        user = User.objects.filter(email__iexact=spec.email).first()
        if user is None:
            user = User(email=spec.email)
        user.full_name = spec.full_name
        user.organisation = organisations[spec.organisation]
        user.role = spec.role
        user.function = spec.function
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True,
                                  key=totp_key(seed, spec.email).hex())
