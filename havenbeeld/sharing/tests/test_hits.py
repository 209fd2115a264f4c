"""Hit/no-hit: public analysts learn who holds what they cannot see — counts only."""

from __future__ import annotations

import pytest

from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import verified_client
from havenbeeld.registry.models import Property, Source
from havenbeeld.registry.services import Fact, Provenance, record_pieces
from havenbeeld.sharing.hits import HitLimitReached, hits_for
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs_secrets(world, company):
    """Customs keeps three pieces on the company to itself."""
    record_pieces(actor=world.customs_analyst, obj=company,
                  facts=[Fact(Property.NOTE, f"Risicoselectie {i}") for i in range(3)],
                  provenance=Provenance(Source.MANUAL, Distribution.OWN,
                                        LegalBasis.objects.get(code="awr-douane")))
    return company


def test_a_police_analyst_sees_that_customs_holds_three_pieces(world, customs_secrets):
    [hit] = hits_for(world.police_analyst, customs_secrets, purpose="Zaak 12")
    assert (hit.organisation, hit.pieces) == ("Douane", 3)
    assert len(hit.latest_month) == 7
    event = AuditEvent.objects.get(event_type=EventType.HIT_QUERY)
    assert event.details == {"purpose": "Zaak 12", "holders": 1}


def test_the_page_shows_the_hit_without_content(world, customs_secrets):
    body = verified_client(world.police_analyst).get(
        f"/objecten/{customs_secrets.pk}/").content.decode()
    assert 'data-testid="hits"' in body and "Douane" in body
    assert "Risicoselectie" not in body


@pytest.mark.parametrize("persona", ["terminal_contributor", "terminal_coordinator",
                                     "municipal_reader"])
def test_private_partners_and_readers_get_no_hits(world, customs_secrets, persona, basis):
    user = getattr(world, persona)
    assert hits_for(user, customs_secrets, purpose="x") == []


def test_the_holder_gets_no_hit_on_its_own_pieces(world, customs_secrets):
    assert hits_for(world.customs_analyst, customs_secrets, purpose="x") == []


def test_hit_queries_are_rate_limited(world, customs_secrets, settings):
    settings.HIT_QUERIES_PER_HOUR = 2
    hits_for(world.police_analyst, customs_secrets, purpose="x")
    hits_for(world.police_analyst, customs_secrets, purpose="x")
    with pytest.raises(HitLimitReached):
        hits_for(world.police_analyst, customs_secrets, purpose="x")
