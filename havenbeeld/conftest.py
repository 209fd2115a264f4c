from __future__ import annotations

from django.core.cache import cache
from django.utils import translation

import pytest

from havenbeeld.core.testing import World, build_world
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis

pytest_plugins = ["havenbeeld.core.browser_fixtures"]


@pytest.fixture(autouse=True)
def _dutch_and_clean(settings, tmp_path):
    settings.LANGUAGE_CODE = "nl"
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")  # each test its own
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECURE_SSL_REDIRECT = False
    cache.clear()
    from havenbeeld.registry.services import forget_retention_defaults

    forget_retention_defaults()
    with translation.override("nl"):
        yield


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def basis(db) -> LegalBasis:
    return LegalBasis.objects.get(code="wgs")


@pytest.fixture
def terminal_group(world) -> CollaborationGroup:
    group = CollaborationGroup.objects.create(name="Terminalbeveiliging Maasvlakte")
    group.organisations.set([world.customs, world.terminal])
    return group


@pytest.fixture
def company(world, basis):
    """A company known to Customs by name and KvK number, shared with convenant partners."""
    return create_object(
        actor=world.customs_analyst, kind=ObjectKind.COMPANY,
        facts=[Fact(Property.NAME, "Kaaiwacht Logistiek B.V."),
               Fact(Property.IDENTIFIER, "1234 5678", scheme="kvk")],
        provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
