"""Resolution in the platform: intake, review, decisions, clusters, batch runs, visibility."""

from __future__ import annotations

import pytest

from havenbeeld.audit.models import AuditEvent
from havenbeeld.core.testing import verified_client
from havenbeeld.registry.models import ObjectKind, Piece, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.resolution import services
from havenbeeld.resolution.features import Record
from havenbeeld.resolution.models import (
    ClusterMembership,
    Decision,
    MatchPair,
    PairStatus,
    Verdict,
)
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = pytest.mark.django_db(transaction=True)


def _company(actor, name, *facts, distribution=Distribution.CONVENANT, basis="wgs"):
    return create_object(
        actor=actor, kind=ObjectKind.COMPANY, facts=[Fact(Property.NAME, name), *facts],
        provenance=Provenance(Source.MANUAL, distribution, LegalBasis.objects.get(code=basis)))


# A name of generic words only: told by two partners with nothing else, a question for a person
# (a rare name would link on its own: see test_intake_links_a_rarely_named_company_...).
UNCERTAIN = ("Rotterdam Trading Holding B.V.", "Rotterdam Trading Holding")


def _address(street="Waalhaven Oostzijde", number="12", postcode="3087 BM", city="Rotterdam"):
    return [Fact(Property.STREET, street), Fact(Property.HOUSE_NUMBER, number),
            Fact(Property.POSTCODE, postcode), Fact(Property.CITY, city)]


def test_intake_links_a_shared_kvk_and_keeps_each_partners_object(world):
    customs = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.",
                       Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    police = _company(world.police_analyst, "KAAIWACHT LOGISTIEK",
                      Fact(Property.IDENTIFIER, "1234 5678", scheme="kvk"))
    pair = MatchPair.objects.get()
    assert (pair.left_id, pair.right_id, pair.status) == (customs.pk, police.pk,
                                                          PairStatus.LINKED)
    assert services.cluster_members(police.pk) == [customs.pk, police.pk]
    assert Piece.objects.filter(object=customs).count() == 2  # pieces untouched


def test_records_of_one_company_arriving_together_find_each_other(world):
    # An import hands resolution its objects together, after the file is in.
    with services_off():
        first = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.",
                         Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
        second = _company(world.police_analyst, "KAAIWACHT LOGISTIEK",
                          Fact(Property.IDENTIFIER, "1234 5678", scheme="kvk"))
    assert not MatchPair.objects.exists()
    assert services.intake([first.pk, second.pk]) == {"linked": 1, "review": 0}
    assert services.cluster_members(first.pk) == [first.pk, second.pk]
    assert services.intake([first.pk, second.pk]) == {"linked": 0, "review": 0}  # idempotent


def services_off():
    """Pieces saved without resolution hearing of them (as an import's chunks are)."""
    from unittest import mock

    return mock.patch.object(services, "_intake_quietly", lambda ids: None)


def test_intake_sends_an_uncertain_pair_to_review_and_a_stranger_nowhere(world):
    _company(world.customs_analyst, UNCERTAIN[0])
    _company(world.police_analyst, UNCERTAIN[1])
    _company(world.police_analyst, "Maasvlakte Reefer Services", *_address())
    assert list(MatchPair.objects.values_list("status", flat=True)) == [PairStatus.REVIEW]


def test_intake_links_a_rarely_named_company_two_partners_know_by_name_alone(world):
    customs = _company(world.customs_analyst, "Delta Expeditie Holding B.V.")
    police = _company(world.police_analyst, "DELTA EXPEDITIE HOLDING")
    pair = MatchPair.objects.get()
    assert (pair.left_id, pair.right_id, pair.status) == (customs.pk, police.pk,
                                                          PairStatus.LINKED)
    assert services.cluster_members(police.pk) == [customs.pk, police.pk]
    found = services.lookup(Record(record_id="query", source="Gemeente Rotterdam",
                                   entity_type="company", name="Delta Expeditie Holding"))
    assert {c.object_id for c in found} == {customs.pk, police.pk}
    assert {(c.rule, c.outcome) for c in found} == {("rare_name", "link")}


def test_intake_leaves_a_name_one_partner_told_of_two_companies_to_review(world):
    _company(world.customs_analyst, "Delta Expeditie Holding B.V.",
             Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    _company(world.customs_analyst, "Delta Expeditie Holding",
             Fact(Property.IDENTIFIER, "87654321", scheme="kvk"))
    police = _company(world.police_analyst, "Delta Expeditie Holding")
    assert not MatchPair.objects.filter(status=PairStatus.LINKED).exists()
    assert MatchPair.objects.filter(status=PairStatus.REVIEW).count() == 2  # police, each
    assert services.cluster_members(police.pk) == [police.pk]
    services.run_batch()
    assert not MatchPair.objects.filter(status=PairStatus.LINKED).exists()


def test_intake_and_batch_link_a_late_partners_record_to_the_entity_with_that_name(world):
    kvk = Fact(Property.IDENTIFIER, "12345678", scheme="kvk")
    register = _company(world.customs_analyst, "Delta Expeditie Holding B.V.", *_address(), kvk)
    customs = _company(world.customs_analyst, "Delta Expeditie Holding", kvk)
    police = _company(world.police_analyst, "Delta Expeditie Holding", _address()[-1])
    assert services.cluster_members(police.pk) == [register.pk, customs.pk, police.pk]
    statuses = set(MatchPair.objects.values_list("status", flat=True))
    services.run_batch(retrain=True)
    assert services.cluster_members(police.pk) == [register.pk, customs.pk, police.pk]
    assert set(MatchPair.objects.values_list("status", flat=True)) == statuses


def test_lookup_ranks_candidates_with_their_evidence(world):
    target = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", *_address())
    _company(world.customs_analyst, "Noordzee Visserij", *_address(number="99"))
    [best, *_rest] = services.lookup(Record(
        record_id="new", entity_type="company", name="Kaaiwacht Logistiek",
        postcode="3087BM", house_number="12"))
    assert best.object_id == target.pk
    assert best.outcome == "link"
    levels = {e.comparison: e.level for e in best.evidence}
    assert levels["name_key"] == "exact name_key"
    assert levels["postcode"] == "exact postcode"


def test_a_flex_office_address_alone_never_links_companies(world):
    _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", *_address())
    _company(world.customs_analyst, "Noordzee Visserij B.V.", *_address())
    assert not MatchPair.objects.filter(status=PairStatus.LINKED).exists()


def test_decide_same_then_undo_restores_the_state_before(world):
    left = _company(world.customs_analyst, UNCERTAIN[0])
    right = _company(world.police_analyst, UNCERTAIN[1])
    pair = MatchPair.objects.get()
    decision = services.decide(actor=world.police_analyst, pair=pair, verdict=Verdict.SAME,
                               reason="Zelfde bestuurder volgens KvK-uittreksel")
    assert services.cluster_members(left.pk) == [left.pk, right.pk]
    services.undo(actor=world.police_analyst, decision=decision)
    pair.refresh_from_db()
    assert pair.status == PairStatus.REVIEW
    assert services.cluster_members(left.pk) == [left.pk]
    assert not ClusterMembership.objects.exists()
    assert Decision.objects.filter(undone=True).count() == 1
    assert AuditEvent.objects.filter(event_type="resolution.decided").count() == 2


def test_a_decision_needs_a_reason_and_a_known_verdict(world):
    _company(world.customs_analyst, UNCERTAIN[0])
    _company(world.police_analyst, UNCERTAIN[1])
    pair = MatchPair.objects.get()
    with pytest.raises(services.ResolutionError):
        services.decide(actor=world.police_analyst, pair=pair, verdict="same", reason=" ")
    with pytest.raises(services.ResolutionError):
        services.decide(actor=world.police_analyst, pair=pair, verdict="merge", reason="x")


def test_not_the_same_is_remembered_by_intake_and_batch_runs(world):
    left = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.",
                    Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    right = _company(world.police_analyst, "Kaaiwacht Logistiek",
                     Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    services.split(actor=world.police_analyst, object_id=right.pk,
                   reason="Verkeerd KvK-nummer genoteerd")
    assert services.cluster_members(left.pk) == [left.pk]
    services.intake([left.pk, right.pk])
    services.run_batch()
    assert MatchPair.objects.get().status == PairStatus.NOT_SAME
    assert services.cluster_members(left.pk) == [left.pk]


def test_a_model_trained_before_a_comparison_changed_is_not_used_and_the_batch_retrains(world):
    from havenbeeld.resolution.model import default_settings, fits
    from havenbeeld.resolution.models import ResolutionModel

    old = default_settings("company")
    del old["comparisons"][0]["comparison_levels"][2]  # a name level this version added
    ResolutionModel.objects.create(kind="company", settings=old)
    ResolutionModel.objects.create(kind="person", settings=default_settings("person"))
    assert services.active_settings("company") == default_settings("company")
    _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.")
    services.run_batch()
    assert fits("company", ResolutionModel.objects.filter(kind="company").first().settings)


def test_batch_run_is_idempotent(world):
    _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", *_address(),
             Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    _company(world.police_analyst, "KAAIWACHT LOGISTIEK", *_address(postcode="3087BM"))
    _company(world.police_analyst, UNCERTAIN[1])
    _company(world.customs_analyst, UNCERTAIN[0])
    first = services.run_batch(retrain=True)
    state = sorted(MatchPair.objects.values_list("left_id", "right_id", "status"))
    second = services.run_batch()
    assert second["changed"] == 0
    assert sorted(MatchPair.objects.values_list("left_id", "right_id", "status")) == state
    assert first["clusters"] == second["clusters"] == 1


def test_review_queue_shows_only_pairs_the_viewer_sees_both_sides_of(world):
    _company(world.customs_analyst, UNCERTAIN[0])
    _company(world.police_analyst, UNCERTAIN[1], distribution=Distribution.OWN)
    police = verified_client(world.police_analyst).get("/koppelingen/").content.decode()
    customs = verified_client(world.customs_analyst).get("/koppelingen/").content.decode()
    assert UNCERTAIN[1] in police
    assert 'data-testid="review-queue-empty"' in customs
    pair = MatchPair.objects.get()
    assert verified_client(world.customs_analyst).get(
        f"/koppelingen/{pair.pk}/").status_code == 404


def test_unsure_pairs_leave_the_queue_and_can_be_listed_again(world):
    _company(world.customs_analyst, UNCERTAIN[0])
    _company(world.police_analyst, UNCERTAIN[1])
    pair = MatchPair.objects.get()
    services.decide(actor=world.police_analyst, pair=pair, verdict=Verdict.UNSURE,
                    reason="Navragen bij de Douane")
    client = verified_client(world.police_analyst)
    assert 'data-testid="review-queue-empty"' in client.get("/koppelingen/").content.decode()
    unsure = client.get("/koppelingen/?status=unsure").content.decode()
    assert f'href="/koppelingen/{pair.pk}/"' in unsure


@pytest.mark.parametrize("persona", ["terminal_contributor", "municipal_reader"])
def test_only_analysts_review_matches(world, persona):
    assert verified_client(getattr(world, persona)).get("/koppelingen/").status_code == 403


def test_pair_page_evidence_is_computed_on_what_the_viewer_sees(world):
    _company(world.customs_analyst, "Delta Expeditie Holding B.V.", *_address(),
             distribution=Distribution.CONVENANT)
    right = _company(world.police_analyst, "Delta Expeditie Holding")
    from havenbeeld.registry.services import record_pieces
    record_pieces(actor=world.police_analyst, obj=right, facts=_address(),
                  provenance=Provenance(Source.MANUAL, Distribution.OWN,
                                        LegalBasis.objects.get(code="wgs")))
    pair = MatchPair.objects.get()
    police = verified_client(world.police_analyst).get(f"/koppelingen/{pair.pk}/")
    customs_view = verified_client(world.customs_analyst).get(f"/koppelingen/{pair.pk}/")
    assert "exact postcode" in police.content.decode()
    assert "exact postcode" not in customs_view.content.decode()  # police address is own-only


def test_object_page_shows_the_cluster_and_each_partners_record(world):
    customs = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.",
                       Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    police = _company(world.police_analyst, "KAAIWACHT LOGISTIEK",
                      Fact(Property.IDENTIFIER, "12345678", scheme="kvk"))
    body = verified_client(world.police_analyst).get(f"/objecten/{customs.pk}/").content.decode()
    assert f'href="/objecten/{police.pk}/"' in body
    assert "KAAIWACHT LOGISTIEK" in body
    assert "gedeeld identificatienummer" in body or "shared identifier" in body


def test_model_page_for_administrators_shows_parameters_and_starts_a_run(world):
    client = verified_client(world.platform_admin)
    body = client.get("/beheer/koppelingen/model/").content.decode()
    assert 'data-testid="model-1"' in body
    response = client.post("/beheer/koppelingen/model/", {"retrain": "1"})
    assert response.status_code == 302
    assert verified_client(world.police_analyst).get(
        "/beheer/koppelingen/model/").status_code == 403


def _candidates(user, **record):
    from django.test import Client

    from havenbeeld.accounts.services.tokens import issue_token

    _, secret = issue_token(actor=user, user=user, name="test")
    return Client().post("/api/resolution/candidates", record, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_candidates_api_offers_only_what_the_caller_sees_scored_on_what_they_see(world):
    shared = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", *_address(),
                      distribution=Distribution.ALL, basis="publiek-privaat")
    from havenbeeld.registry.services import record_pieces
    record_pieces(actor=world.customs_analyst, obj=shared,
                  facts=[Fact(Property.IDENTIFIER, "12345678", scheme="kvk")],
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                        LegalBasis.objects.get(code="wgs")))
    hidden = _company(world.police_analyst, "Kaaiwacht Logistiek", *_address(),
                      distribution=Distribution.OWN)
    query = {"entity_type": "company", "name": "KAAIWACHT LOGISTIEK BV",
             "postcode": "3087BM", "house_number": "12",
             "identifiers": [{"scheme": "kvk", "value": "1234 5678"}]}
    police = _candidates(world.police_analyst, **query).json()
    assert {c["id"] for c in police} == {shared.pk, hidden.pk}
    terminal = _candidates(world.terminal_contributor, **query).json()
    assert [c["id"] for c in terminal] == [shared.pk]
    levels = {e["comparison"]: e["level"] for e in terminal[0]["evidence"]}
    assert "identifiers" not in levels  # the KvK is shared with public partners only
    assert terminal[0]["outcome"] in {"link", "review"}


def test_candidates_api_rejects_malformed_input_clearly(world):
    response = _candidates(world.police_analyst, entity_type="vessel", name="x")
    assert response.status_code == 422
    assert _candidates(world.police_analyst, entity_type="company").json() == []


def test_splitting_on_the_page_decides_only_pairs_the_analyst_can_see(world):
    kvk = Fact(Property.IDENTIFIER, "12345678", scheme="kvk")
    customs = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", kvk)
    police = _company(world.police_analyst, "Kaaiwacht Logistiek", kvk)
    police_own = _company(world.police_analyst, "KAAIWACHT", kvk, distribution=Distribution.OWN)
    response = verified_client(world.customs_analyst).post(
        f"/objecten/{customs.pk}/ontkoppelen/", {"reason": "Ander bedrijf, zelfde KvK-typefout"})
    assert response.status_code == 302
    statuses = {(p.left_id, p.right_id): p.status for p in MatchPair.objects.all()}
    assert statuses[(customs.pk, police.pk)] == PairStatus.NOT_SAME
    assert statuses[(customs.pk, police_own.pk)] == PairStatus.LINKED  # customs cannot see it


def test_hits_and_requests_cover_the_partners_own_records_of_the_same_entity(world):
    """Customs keeps its risk notes on its own record; the police analyst, on the police
    record of the same company, gets the hit and can ask for them."""
    from havenbeeld.accounts.models import Role
    from havenbeeld.core.testing import make_user
    from havenbeeld.registry.services import record_pieces
    from havenbeeld.sharing import hits
    from havenbeeld.sharing import requests as info_requests

    kvk = Fact(Property.IDENTIFIER, "12345678", scheme="kvk")
    customs = _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", kvk)
    record_pieces(actor=world.customs_analyst, obj=customs,
                  facts=[Fact(Property.NOTE, "Afwijkend aangiftepatroon"),
                         Fact(Property.NOTE, "Wisselende expediteurs")],
                  provenance=Provenance(Source.MANUAL, Distribution.OWN,
                                        LegalBasis.objects.get(code="awr-douane")))
    police = _company(world.police_analyst, "KAAIWACHT LOGISTIEK", kvk)
    [hit] = hits.hits_for(world.police_analyst, police, purpose="onderzoek 2026-17")
    assert (hit.organisation, hit.pieces) == (world.customs.name, 2)
    asked = info_requests.ask(actor=world.police_analyst, obj=police, holder=world.customs,
                              purpose="Onderzoek ondermijning 2026-17",
                              legal_basis=LegalBasis.objects.get(code="wgs"))
    coordinator = make_user("coordinator@douane.example", world.customs, Role.COORDINATOR)
    info_requests.decide(actor=coordinator, info_request=asked, decision="approve")
    body = verified_client(world.police_analyst).get(f"/objecten/{customs.pk}/").content.decode()
    assert "Afwijkend aangiftepatroon" in body


def test_model_page_names_each_comparison_after_training(world):
    _company(world.customs_analyst, "Kaaiwacht Logistiek B.V.", *_address())
    services.train(actor=world.platform_admin)
    body = verified_client(world.platform_admin).get("/beheer/koppelingen/model/").content.decode()
    assert "Naam zonder rechtsvorm, hoofdletters, accenten of woordvolgorde" in body
    assert "CustomComparison" not in body
    assert AuditEvent.objects.filter(event_type="resolution.trained").count() == 2


def test_two_transactions_recomputing_one_cluster_both_succeed():
    """PostgreSQL: two intakes may recompute one cluster side by side. The second, whose
    delete began before the first committed, does not see the rows the first wrote; it
    replaces them instead of failing on them."""
    import threading

    from django.db import connection, connections, transaction

    from havenbeeld.registry.models import RegistryObject

    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    a, b, c = (RegistryObject.objects.create(kind=ObjectKind.COMPANY) for _ in range(3))
    for left, right in ((a, b), (b, c)):
        MatchPair.objects.create(left=left, right=right, kind=ObjectKind.COMPANY,
                                 status=PairStatus.LINKED, method="identifier",
                                 match_weight=10.0, probability=0.99)
    recomputed, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def recompute(hold: bool) -> None:
        try:
            with transaction.atomic():
                services._recompute_around({c.pk if hold else a.pk})
                if hold:
                    recomputed.set()
                    go.wait(10)
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=recompute, args=(True,))
    first.start()
    assert recomputed.wait(10)
    second = threading.Thread(target=recompute, args=(False,))
    second.start()
    second.join(0.5)  # waits for the first one's rows
    go.set()
    first.join(10)
    second.join(10)
    assert not failures
    assert dict(ClusterMembership.objects.values_list("object_id", "cluster")) == {
        a.pk: a.pk, b.pk: a.pk, c.pk: a.pk}
