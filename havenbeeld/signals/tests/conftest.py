from __future__ import annotations

import pytest

from havenbeeld.accounts.models import Role
from havenbeeld.core.testing import make_user
from havenbeeld.places.models import Port, PortArea, RiecRegion


@pytest.fixture
def port(world, settings, tmp_path):
    """Rotterdam with a terminal; the public partners and the terminal serve it; themes seeded
    (transactional tests flush what the migration seeded); attachments in a temporary dir."""
    from havenbeeld.signals.themes import seed

    seed()
    settings.SIGNAL_ATTACHMENT_DIR = tmp_path / "attachments"
    rotterdam, _ = Port.objects.get_or_create(
        slug="rotterdam", defaults={"name": "Rotterdam", "province": "Zuid-Holland",
                                    "riec_region": RiecRegion.choices[0][0],
                                    "latitude": 51.95, "longitude": 4.14})
    PortArea.objects.get_or_create(port=rotterdam, slug="kade-terminal", defaults={
        "name": "Kade Terminal", "kind": PortArea.Kind.TERMINAL, "latitude": 51.95,
        "longitude": 4.05})
    for organisation in (world.police, world.customs, world.riec, world.terminal,
                         world.municipality):
        organisation.ports.add(rotterdam)
    return rotterdam


@pytest.fixture
def riec_analyst(world):
    return make_user("analist@riec.example", world.riec, Role.ANALYST)
