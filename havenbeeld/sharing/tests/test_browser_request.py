"""Browser test: a police analyst sees a Customs hit, asks, Customs approves, pieces appear."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from havenbeeld.accounts.models import Role
from havenbeeld.core.browser_fixtures import axe_check, sign_in_page
from havenbeeld.core.testing import build_world, make_user
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object, record_pieces
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hit_request_approve_and_see(new_page):
    world = build_world()
    coordinator = make_user("coordinator@douane.example", world.customs, Role.COORDINATOR)
    customs_basis = LegalBasis.objects.get(code="awr-douane")
    company = create_object(
        actor=world.customs_analyst, kind=ObjectKind.COMPANY,
        facts=[Fact(Property.NAME, "Zuidkade Handel B.V.")],
        provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, customs_basis))
    record_pieces(actor=world.customs_analyst, obj=company,
                  facts=[Fact(Property.NOTE, f"Risicoselectie {i}") for i in range(3)],
                  provenance=Provenance(Source.MANUAL, Distribution.OWN, customs_basis))

    police = new_page()
    sign_in_page(police, world.police_analyst)
    police.goto(f"/objecten/{company.pk}/")
    expect(police.locator("[data-testid=hits]")).to_contain_text("Douane heeft 3")
    expect(police.locator("main")).not_to_contain_text("Risicoselectie")
    axe_check(police)
    police.click("text=Vraag deze informatie op")
    axe_check(police)
    police.fill("#purpose", "Analyse 2026-014 Waalhaven")
    police.select_option("#legal_basis", label="RIEC-convenant en privacyprotocol")
    police.click("main button[type=submit]")
    expect(police.locator("[data-testid=request-status]")).to_have_text("wacht op de houder")
    axe_check(police)

    customs = new_page()
    sign_in_page(customs, coordinator)
    customs.goto("/informatieverzoeken/")
    axe_check(customs)
    customs.click("main table a >> nth=0")
    expect(customs.locator("main")).to_contain_text("Risicoselectie 2")
    axe_check(customs)
    customs.click("button[value=approve]")
    expect(customs.locator("[data-testid=request-status]")).to_have_text("goedgekeurd")

    police.goto(f"/objecten/{company.pk}/")
    expect(police.locator("main")).to_contain_text("Risicoselectie 0")
    expect(police.locator("main")).to_contain_text("gedeeld via informatieverzoek")
    expect(police.locator("[data-testid=hits]")).to_have_count(0)
