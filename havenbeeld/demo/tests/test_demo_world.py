"""The demo world: idempotent, every demo user signs in, never in production."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

import pytest
from django_otp.oath import totp

from havenbeeld.accounts.models import Organisation, OrganisationKind, Role, User
from havenbeeld.demo import signals_world
from havenbeeld.demo import world as demo
from havenbeeld.places.models import Port, PortArea

pytestmark = pytest.mark.django_db


def test_building_twice_adds_nothing_the_second_time():
    first = demo.build(seed=1, scale=20)
    second = demo.build(seed=1, scale=20)
    assert first == second
    assert first["ports"] == 11
    assert User.objects.count() == len(demo.USERS) + len(signals_world.ACCOUNTS)


def test_every_organisation_kind_and_role_is_present():
    demo.build(seed=1, scale=0)
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind)
    assert set(User.objects.values_list("role", flat=True)) == set(Role)


def test_ports_and_areas_carry_real_names_and_coordinates():
    demo.build(seed=1, scale=0)
    eemshaven = Port.objects.get(name="Eemshaven")
    assert float(eemshaven.latitude) == pytest.approx(53.448)
    assert float(eemshaven.longitude) == pytest.approx(6.831)
    assert PortArea.objects.filter(port__name="Rotterdam", name="Maasvlakte 2").exists()
    assert PortArea.objects.get(name="Rotterdam World Gateway").parent.name == "Maasvlakte 2"


@pytest.mark.parametrize("spec", demo.USERS, ids=lambda s: s.email)
def test_every_demo_user_signs_in_with_password_and_totp(spec):
    demo.build(seed=1, scale=0)
    client = Client()
    client.post("/inloggen/", {"email": spec.email, "password": demo.DEMO_PASSWORD})
    code = f"{totp(demo.totp_key(1, spec.email)):06d}"
    response = client.post("/inloggen/code/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/werkruimte/").status_code == 200


def test_the_readme_lists_the_demo_users_with_their_secrets():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert demo.DEMO_PASSWORD in readme
    for spec in demo.USERS:
        assert spec.email in readme
        assert demo.totp_secret_base32(demo.DEFAULT_SEED, spec.email) in readme


def test_the_demo_command_refuses_production_settings(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo", "--seed", "1")
    assert not User.objects.exists()


def test_skip_if_built_does_nothing_the_second_time(capsys):
    call_command("demo", "--seed", "1", "--scale", "10", "--quiet-users")
    call_command("demo", "--seed", "1", "--skip-if-built")
    assert "nothing to do" in capsys.readouterr().out


def test_the_registry_layer_plants_the_same_entities_under_different_spellings():
    from django.db.models import Count

    from havenbeeld.demo.models import PlantedEntity
    from havenbeeld.registry.models import Piece, Property

    demo.build(seed=3, scale=60)
    shared = (PlantedEntity.objects.values("entity_key").annotate(n=Count("id"))
              .filter(n__gt=1, entity_key__startswith="company-"))
    assert shared.count() > 10
    spellings = set()
    for key in [row["entity_key"] for row in shared[:20]]:
        names = Piece.objects.filter(object__planted__entity_key=key, property=Property.NAME)
        organisations = set(names.values_list("organisation__name", flat=True))
        assert len(organisations) > 1
        spellings.add(len(set(names.values_list("value", flat=True))) > 1)
    assert True in spellings  # partners spell the same company differently


def test_flex_office_addresses_are_shared_by_many_companies():
    from django.db.models import Count

    from havenbeeld.registry.models import Piece, Property

    demo.build(seed=3, scale=120)
    busiest = (Piece.objects.filter(property=Property.STREET, organisation__name="RIEC Rotterdam")
               .values("value").annotate(n=Count("object", distinct=True)).order_by("-n").first())
    assert busiest["n"] >= 3


def test_the_registry_layer_is_deterministic_per_seed_and_built_once():
    from havenbeeld.registry.models import Piece

    first = demo.build(seed=5, scale=30)
    again = demo.build(seed=5, scale=30)
    assert first["pieces"] == again["pieces"] == Piece.objects.count()


def test_customs_keeps_some_notes_to_itself_so_police_get_hits():
    from havenbeeld.accounts.models import User as DemoUser
    from havenbeeld.registry.models import Piece
    from havenbeeld.sharing.hits import hits_for

    demo.build(seed=3, scale=60)
    note = Piece.objects.filter(property="note", distribution="own",
                                organisation__name="Douane Rotterdam Rijnmond").first()
    assert note is not None
    police = DemoUser.objects.get(email="analist@zeehavenpolitie.example")
    [hit] = hits_for(police, note.object, purpose="demo")
    assert hit.organisation == "Douane Rotterdam Rijnmond"
