"""Search through the token index: candidates in batches, the rarest word first, misspelt
words through similar tokens — and still only what the viewer may see."""

from __future__ import annotations

import pytest

from havenbeeld.registry import search as search_module
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.search import Filters, search
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution

pytestmark = pytest.mark.django_db


def _company(actor, name: str, basis, distribution=Distribution.CONVENANT):
    return create_object(actor=actor, kind=ObjectKind.COMPANY, facts=[Fact(Property.NAME, name)],
                         provenance=Provenance(Source.MANUAL, distribution, basis))


@pytest.mark.parametrize("query", ["Kaaiwacht Lgoistiek", "Kaaiwacht Logstiek",
                                   "Kaaiwachtt Logistiek", "KAAIWACHT LOGISTIEEK BV"])
def test_a_typing_error_anywhere_after_the_first_letter_is_forgiven(world, company, query):
    assert [h.object for h in search(world.police_analyst, query)] == [company]


def test_a_misspelt_name_reveals_nothing_the_viewer_cannot_see(world, company):
    assert search(world.terminal_contributor, "Kaaiwaht Logistiek") == []
    assert search(world.terminal_contributor, "Kaaiwacht Lgoistiek") == []


def test_the_rarest_word_drives_and_every_word_must_match(world, basis):
    wanted = _company(world.police_analyst, "Zeewering Havendiensten B.V.", basis)
    for i in range(6):
        _company(world.police_analyst, f"Havendiensten {i} Rotterdam", basis)
    _company(world.police_analyst, "Zeewering Transport", basis)
    assert [h.object for h in search(world.police_analyst, "havend zeew")] == [wanted]
    assert len(search(world.police_analyst, "havendiensten")) == 7


def test_a_narrow_filter_over_a_broad_word_still_finds_every_match(world, basis, monkeypatch):
    # Candidates one at a time: the Customs name is found however many batches it takes.
    monkeypatch.setattr(search_module, "EXACT_BATCHES", (1, 1))
    for i in range(4):
        _company(world.police_analyst, f"Kadeloods {i}", basis)
    customs = _company(world.customs_analyst, "Kadeloods Douane", basis)
    hits = search(world.police_analyst, "kadeloods",
                  filters=Filters(organisation_id=world.customs.pk))
    assert [h.object for h in hits] == [customs]
    assert len(search(world.police_analyst, "kadeloods")) == 5


def test_batches_keep_what_the_viewer_may_not_see_out(world, basis, monkeypatch):
    monkeypatch.setattr(search_module, "EXACT_BATCHES", (2, 2))
    hidden = [_company(world.police_analyst, f"Kadeloods {i}", basis, Distribution.OWN)
              for i in range(5)]
    shared = _company(world.police_analyst, "Kadeloods Gedeeld", basis, Distribution.ALL)
    assert [h.object for h in search(world.terminal_contributor, "kadeloods")] == [shared]
    assert len(search(world.police_analyst, "kadeloods")) == len(hidden) + 1


def test_search_over_many_matches_stops_at_the_maximum(world, basis, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_RESULTS", 3)
    monkeypatch.setattr(search_module, "EXACT_BATCHES", (2, 2))
    for i in range(7):
        _company(world.police_analyst, f"Kadeloods {i}", basis)
    assert len(search(world.police_analyst, "kadel")) == 3


def test_search_leaves_the_caller_s_planner_settings_alone(world, company):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the search plans serially on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        [(before,)] = cursor.fetchall()
        assert [h.object for h in search(world.police_analyst, "Kaaiwacht")] == [company]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchall() == [(before,)]
