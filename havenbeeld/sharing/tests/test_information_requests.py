"""From "Douane holds 3 pieces" to seeing them through an approved request — and the rest."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

import pytest

from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import make_user, verified_client
from havenbeeld.registry.models import Piece, Property, Source
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.services import Fact, Provenance, record_pieces
from havenbeeld.sharing import requests as info_requests
from havenbeeld.sharing.models import Distribution, InformationRequest, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs_coordinator(world):
    from havenbeeld.accounts.models import Role

    return make_user("coordinator@douane.example", world.customs, Role.COORDINATOR)


@pytest.fixture
def secrets(world, company):
    record_pieces(actor=world.customs_analyst, obj=company,
                  facts=[Fact(Property.NOTE, f"Risicoselectie {i}") for i in range(3)],
                  provenance=Provenance(Source.MANUAL, Distribution.OWN,
                                        LegalBasis.objects.get(code="awr-douane")))
    return list(Piece.objects.filter(object=company, property=Property.NOTE))


def ask(world, company, **kw):
    return info_requests.ask(actor=world.police_analyst, obj=company, holder=world.customs,
                             purpose="Analyse 2026-014 Waalhaven",
                             legal_basis=LegalBasis.objects.get(code="riec-convenant"), **kw)


def test_the_whole_way_through_the_pages(world, company, secrets, customs_coordinator,
                                         django_capture_on_commit_callbacks):
    police = verified_client(world.police_analyst)
    page = police.get(f"/objecten/{company.pk}/").content.decode()
    assert "Douane" in page and f"holder={world.customs.pk}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = police.post(
            f"/informatieverzoeken/nieuw/?object={company.pk}&holder={world.customs.pk}",
            {"purpose": "Analyse 2026-014 Waalhaven",
             "legal_basis": LegalBasis.objects.get(code="riec-convenant").pk})
    request = InformationRequest.objects.get()
    assert response["Location"] == f"/informatieverzoeken/{request.pk}/"
    assert mail.outbox[-1].to == ["coordinator@douane.example"]
    customs = verified_client(customs_coordinator)
    detail = customs.get(f"/informatieverzoeken/{request.pk}/").content.decode()
    assert "Risicoselectie 0" in detail
    with django_capture_on_commit_callbacks(execute=True):
        customs.post(f"/informatieverzoeken/{request.pk}/",
                     {"decision": "approve", "piece": [p.pk for p in secrets]})
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.APPROVED
    assert mail.outbox[-1].to == ["analist@politie.example"]
    after = police.get(f"/objecten/{company.pk}/").content.decode()
    assert "Risicoselectie 0" in after
    steps = list(AuditEvent.objects.filter(event_type=EventType.INFORMATION_REQUEST).order_by("id")
                 .values_list("details__step", flat=True))
    assert steps == ["asked", "approve"]


def test_granted_pieces_reach_only_the_requesting_organisation(world, company, secrets,
                                                               customs_coordinator):
    request = ask(world, company)
    info_requests.decide(actor=customs_coordinator, info_request=request, decision="approve",
                         piece_ids=[secrets[0].pk])
    assert InformationRequest.objects.get().status == InformationRequest.Status.PARTIAL
    police_notes = [p.value for p in build_picture(world.police_analyst, company).timeline
                    if p.property == Property.NOTE]
    assert police_notes == ["Risicoselectie 0"]
    municipal = [p for p in build_picture(world.municipal_reader, company).timeline
                 if p.property == Property.NOTE]
    assert municipal == []


def test_refusal_needs_a_reason_and_shares_nothing(world, company, secrets,
                                                   customs_coordinator):
    request = ask(world, company)
    with pytest.raises(info_requests.RequestError):
        info_requests.decide(actor=customs_coordinator, info_request=request, decision="refuse")
    info_requests.decide(actor=customs_coordinator, info_request=request, decision="refuse",
                         message="Lopend strafrechtelijk onderzoek")
    assert not request.grants.exists()
    assert all(p.property != Property.NOTE
               for p in build_picture(world.police_analyst, company).timeline)


def test_more_information_then_reply_then_approval(world, company, secrets,
                                                   customs_coordinator):
    request = ask(world, company)
    info_requests.decide(actor=customs_coordinator, info_request=request,
                         decision="more_info", message="Welk zaaknummer?")
    info_requests.reply(actor=world.police_analyst, info_request=request, text="ZN-77")
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.SUBMITTED
    info_requests.decide(actor=customs_coordinator, info_request=request, decision="approve")
    assert InformationRequest.objects.get().status == InformationRequest.Status.APPROVED


def test_who_may_ask_and_who_may_decide(world, company, secrets, customs_coordinator):
    with pytest.raises(info_requests.RequestError):
        info_requests.ask(actor=world.terminal_contributor, obj=company, holder=world.customs,
                          purpose="Nieuwsgierig", legal_basis=LegalBasis.objects.get(code="wgs"))
    request = ask(world, company)
    from django.core.exceptions import PermissionDenied

    with pytest.raises((PermissionDenied, info_requests.RequestError)):
        info_requests.decide(actor=world.police_coordinator, info_request=request,
                             decision="approve")
    assert verified_client(world.terminal_coordinator).get(
        f"/informatieverzoeken/{request.pk}/").status_code == 404


def test_no_request_without_hidden_pieces_and_no_duplicates(world, company, secrets):
    with pytest.raises(info_requests.RequestError):
        info_requests.ask(actor=world.police_analyst, obj=company, holder=world.terminal,
                          purpose="Analyse X", legal_basis=LegalBasis.objects.get(code="wgs"))
    ask(world, company)
    with pytest.raises(info_requests.RequestError):
        ask(world, company)


def test_reminders_before_the_deadline(world, company, secrets, customs_coordinator,
                                       django_capture_on_commit_callbacks):
    ask(world, company)
    InformationRequest.objects.update(deadline=timezone.localdate() + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert info_requests.send_reminders() == 1
        assert info_requests.send_reminders() == 0  # once a day
    assert mail.outbox[-1].to == ["coordinator@douane.example"]
