"""The generated permission matrix: role × organisation kind × distribution × channel.

One container is recorded by Customs at each distribution level; for every viewer the expected
answer comes from the rule of DESIGN.md §7 written out once below (``expected``), and every
channel — object page, search page, API object, API search, CSV export, FtM export, network JSON,
and Customs' signal about it: signal page, API signal, API signal list — must give exactly that
answer. 12 viewers × 4 levels × 10 channels = 480 checks.
"""

from __future__ import annotations

from django.test import Client

import pytest

from havenbeeld.accounts.models import OrganisationKind, Role, Sector
from havenbeeld.accounts.services.tokens import issue_token
from havenbeeld.core.testing import make_organisation, make_user, verified_client
from havenbeeld.imports.ftm import export_entities
from havenbeeld.places.models import Port
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis
from havenbeeld.signals import intake
from havenbeeld.signals.models import Signal
from havenbeeld.signals.themes import seed as seed_themes

pytestmark = pytest.mark.django_db

# (organisation kind, sector, role, in the collaboration group)
VIEWERS = {
    "customs_analyst": (OrganisationKind.CUSTOMS, Sector.PUBLIC, Role.ANALYST, True),
    "police_analyst": (OrganisationKind.POLICE, Sector.PUBLIC, Role.ANALYST, False),
    "police_reader": (OrganisationKind.POLICE, Sector.PUBLIC, Role.READER, False),
    "municipal_coordinator": (OrganisationKind.MUNICIPALITY, Sector.PUBLIC, Role.COORDINATOR,
                              False),
    "riec_analyst": (OrganisationKind.RIEC, Sector.PUBLIC, Role.ANALYST, False),
    "riec_admin": (OrganisationKind.RIEC, Sector.PUBLIC, Role.PLATFORM_ADMIN, False),
    "harbour_master_reader": (OrganisationKind.HARBOUR_MASTER, Sector.PUBLIC, Role.READER,
                              True),
    "port_authority_analyst": (OrganisationKind.PORT_AUTHORITY, Sector.PUBLIC, Role.ANALYST,
                               False),
    "terminal_contributor": (OrganisationKind.CONTAINER_TERMINAL, Sector.PRIVATE,
                             Role.CONTRIBUTOR, True),
    "terminal_coordinator": (OrganisationKind.CONTAINER_TERMINAL, Sector.PRIVATE,
                             Role.COORDINATOR, True),
    "shipping_contributor": (OrganisationKind.SHIPPING_LINE, Sector.PRIVATE, Role.CONTRIBUTOR,
                             False),
    "association_reader": (OrganisationKind.ASSOCIATION, Sector.PRIVATE, Role.READER, False),
}
LEVELS = list(Distribution)
CONVENANT_KINDS = {OrganisationKind.CUSTOMS, OrganisationKind.POLICE,
                   OrganisationKind.MUNICIPALITY, OrganisationKind.RIEC}


def expected(viewer: str, level: Distribution) -> bool:
    kind, sector, role, in_group = VIEWERS[viewer]
    if role == Role.PLATFORM_ADMIN:
        return False  # administering the platform is no reason to read its content
    if kind == OrganisationKind.CUSTOMS:
        return True  # the contributor's own organisation
    return {
        Distribution.OWN: False,
        Distribution.GROUP: in_group,
        Distribution.CONVENANT: sector == Sector.PUBLIC and kind in CONVENANT_KINDS,
        Distribution.ALL: True,
    }[level]


def build(level: Distribution):
    organisations = {}
    users = {}
    for name, (kind, sector, role, _group) in VIEWERS.items():
        if kind not in organisations:
            organisations[kind] = make_organisation(f"Org {kind.value}", kind, sector=sector)
        users[name] = make_user(f"{name}@org.example", organisations[kind], role)
    group = CollaborationGroup.objects.create(name="Matrixgroep",
                                              owner=organisations[OrganisationKind.CUSTOMS])
    group.organisations.set([organisations[VIEWERS[n][0]] for n, v in VIEWERS.items() if v[3]])
    container = create_object(
        actor=users["customs_analyst"], kind=ObjectKind.CONTAINER,
        facts=[Fact(Property.IDENTIFIER, "CSQU3054383", scheme="container"),
               Fact(Property.CARGO, "Matrixlading")],
        provenance=Provenance(Source.MANUAL, level, LegalBasis.objects.get(code="wgs"),
                              group=group if level == Distribution.GROUP else None))
    seed_themes()
    Port.objects.get_or_create(slug="rotterdam", defaults={
        "name": "Rotterdam", "province": "Zuid-Holland", "riec_region": "rotterdam",
        "latitude": 51.95, "longitude": 4.14})
    intake.submit(actor=users["customs_analyst"], data=intake.SignalInput(
        theme="drugs", port="rotterdam", title="Matrixsignaal", distribution=level,
        legal_basis="wgs", group_id=group.pk if level == Distribution.GROUP else None,
        objects=(intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                                    identifiers=(("container", "CSQU3054383"),)),)))
    return users, container


def channels(user, container) -> dict[str, bool]:
    web = verified_client(user)
    _token, secret = issue_token(actor=user, user=user, name="matrix")
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    page = web.get(f"/objecten/{container.pk}/")
    search_page = web.get("/objecten/", {"q": "csqu 305438-3"})
    api_object = Client().get(f"/api/objects/{container.pk}", **api)
    api_search = Client().get("/api/search", {"q": "CSQU3054383"}, **api)
    export = web.get(f"/objecten/{container.pk}/export.csv")
    network = web.get(f"/objecten/{container.pk}/netwerk.json")
    signal = Signal.objects.get()
    signal_page = web.get(f"/signalen/{signal.pk}/")
    api_signal = Client().get(f"/api/signals/{signal.pk}", **api)
    api_signals = Client().get("/api/signals", **api)
    try:
        ftm = any("CSQU" in str(e) for e in export_entities(user))
    except Exception:  # PermissionDenied for roles that may not read
        ftm = False
    return {
        "page": page.status_code == 200 and "Matrixlading" in page.content.decode(),
        "search page": f"/objecten/{container.pk}/" in search_page.content.decode(),
        "api object": api_object.status_code == 200,
        "api search": api_search.status_code == 200 and bool(api_search.json()),
        "csv export": export.status_code == 200
        and "Matrixlading" in b"".join(export.streaming_content).decode(),
        "ftm export": ftm,
        "network": network.status_code == 200,
        "signal page": signal_page.status_code == 200
        and "Matrixsignaal" in signal_page.content.decode(),
        "api signal": api_signal.status_code == 200,
        "api signal list": api_signals.status_code == 200
        and any(s["title"] == "Matrixsignaal" for s in api_signals.json()),
    }


CASES = [(viewer, level) for level in LEVELS for viewer in VIEWERS]


@pytest.mark.parametrize(("viewer", "level"), CASES,
                         ids=[f"{lv.value}-{v}" for v, lv in CASES])
def test_every_channel_gives_the_answer_of_the_rule(viewer, level):
    users, container = build(level)
    answers = channels(users[viewer], container)
    want = expected(viewer, level)
    wrong = {channel: got for channel, got in answers.items() if got != want}
    assert not wrong, f"{viewer} at {level.value}: expected {'allow' if want else 'deny'}, " \
                      f"but {wrong}"
