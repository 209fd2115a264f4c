"""Test personas and helpers, defined once for every app's tests.

Personas (who can see what is stated per persona):
- ``police_analyst``   analyst at the Zeehavenpolitie (public, convenant partner)
- ``police_coordinator`` coordinator at the Zeehavenpolitie: vets requests of the police only
- ``customs_analyst``  analyst at Douane (public, convenant partner)
- ``municipal_reader`` reader at Gemeente Rotterdam (public)
- ``terminal_contributor`` contributor at a container terminal (private partner)
- ``terminal_coordinator`` coordinator at that terminal: vets the terminal's requests only
- ``platform_admin``   platform administrator at the RIEC: vets every organisation's requests
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core import mail
from django.test import Client

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from havenbeeld.accounts.models import Organisation, OrganisationKind, Role, Sector, User

PASSWORD = "Correct-Horse-Battery-42"  # noqa: S105 — test persona password
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key


def make_organisation(name: str, kind: OrganisationKind, *, sector: Sector | None = None,
                      domain: str = "", active: bool = True) -> Organisation:
    if sector is None:
        private = {OrganisationKind.CONTAINER_TERMINAL, OrganisationKind.SHIPPING_LINE,
                   OrganisationKind.FISHERY, OrganisationKind.ASSOCIATION}
        sector = Sector.PRIVATE if kind in private else Sector.PUBLIC
    return Organisation.objects.create(name=name, kind=kind, sector=sector, region="rotterdam",
                                       email_domains=domain, active=active)


def make_user(email: str, organisation: Organisation, role: Role, *, name: str = "",
              password: str = PASSWORD, totp_key: str | None = TOTP_KEY,
              active: bool = True) -> User:
    user = User.objects.create_user(email=email, password=password,
                                    full_name=name or email.split("@")[0].title(),
                                    organisation=organisation, role=role, is_active=active)
    if totp_key:
        TOTPDevice.objects.create(user=user, name="test", key=totp_key, confirmed=True)
    return user


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def code_for_key(hex_key: str) -> str:
    return f"{totp(bytes.fromhex(hex_key)):06d}"


def verified_client(user: User) -> Client:
    """A client signed in with both factors, without going through the pages."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user,
                                                            confirmed=True).persistent_id
    session.save()
    return client


def sign_in(client: Client, email: str, password: str, code: str, *,
            ip: str = "192.0.2.10") -> object:
    """Go through both sign-in pages; returns the response of the code step."""
    client.post("/inloggen/", {"email": email, "password": password}, REMOTE_ADDR=ip)
    return client.post("/inloggen/code/", {"code": code}, REMOTE_ADDR=ip)


def links_in_outbox(pattern: str) -> list[str]:
    found = []
    for message in mail.outbox:
        found += re.findall(r"http://[^\s]+" + pattern + r"[^\s]*", message.body)
    return found


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@dataclass
class World:
    police: Organisation
    customs: Organisation
    municipality: Organisation
    terminal: Organisation
    riec: Organisation
    police_analyst: User
    police_coordinator: User
    customs_analyst: User
    municipal_reader: User
    terminal_contributor: User
    terminal_coordinator: User
    platform_admin: User


def build_world() -> World:
    from havenbeeld.sharing.legal_bases import seed

    seed()  # transactional (browser) tests flush what the data migration seeded
    police = make_organisation("Zeehavenpolitie", OrganisationKind.POLICE,
                               domain="politie.example")
    customs = make_organisation("Douane", OrganisationKind.CUSTOMS, domain="douane.example")
    municipality = make_organisation("Gemeente Rotterdam", OrganisationKind.MUNICIPALITY)
    terminal = make_organisation("Kade Terminal B.V.", OrganisationKind.CONTAINER_TERMINAL,
                                 domain="kade.example")
    riec = make_organisation("RIEC Rotterdam", OrganisationKind.RIEC)
    return World(
        police=police, customs=customs, municipality=municipality, terminal=terminal, riec=riec,
        police_analyst=make_user("analist@politie.example", police, Role.ANALYST),
        police_coordinator=make_user("coordinator@politie.example", police, Role.COORDINATOR),
        customs_analyst=make_user("analist@douane.example", customs, Role.ANALYST),
        municipal_reader=make_user("lezer@gemeente.example", municipality, Role.READER),
        terminal_contributor=make_user("meldkamer@kade.example", terminal, Role.CONTRIBUTOR),
        terminal_coordinator=make_user("security@kade.example", terminal, Role.COORDINATOR),
        platform_admin=make_user("beheer@riec.example", riec, Role.PLATFORM_ADMIN),
    )


def api_headers(user: User) -> dict[str, str]:
    """Headers of an API call with a fresh token of ``user``."""
    from havenbeeld.accounts.services.tokens import issue_token

    _, secret = issue_token(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
