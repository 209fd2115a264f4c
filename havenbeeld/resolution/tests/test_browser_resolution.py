"""Browser test: an analyst reviews a pair, the merge shows on the object page, undo restores."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from havenbeeld.core.browser_fixtures import axe_check, sign_in_page
from havenbeeld.core.testing import build_world
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.resolution.models import MatchPair
from havenbeeld.sharing.models import Distribution, LegalBasis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_merge_shows_on_object_page_and_undo_restores(new_page):
    world = build_world()
    basis = LegalBasis.objects.get(code="wgs")
    customs = create_object(
        actor=world.customs_analyst, kind=ObjectKind.COMPANY,
        facts=[Fact(Property.NAME, "Rotterdam Trading Holding B.V."),
               Fact(Property.IDENTIFIER, "NL004495445", scheme="eori")],
        provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    police = create_object(
        actor=world.police_analyst, kind=ObjectKind.COMPANY,
        facts=[Fact(Property.NAME, "ROTTERDAM TRADING HOLDING"), Fact(Property.CITY, "Rotterdam")],
        provenance=Provenance(Source.MANUAL, Distribution.CONVENANT, basis))
    pair = MatchPair.objects.get()

    page = new_page()
    sign_in_page(page, world.police_analyst)
    page.click("nav >> text=Koppelingen")
    expect(page.locator("[data-testid=review-queue]")).to_contain_text("ROTTERDAM TRADING")
    axe_check(page)
    page.click("[data-testid=review-queue] a")
    expect(page.locator("[data-testid=evidence]")).to_contain_text("exact name_key")
    expect(page.locator("main")).to_contain_text("Douane")
    axe_check(page)
    page.check("#verdict-same")
    page.fill("#reason", "Zelfde handelsnaam en vestigingsplaats; bevestigd door de Douane")
    page.click("text=Besluit vastleggen")
    expect(page.locator("[data-testid=pair-status]")).to_have_text("dezelfde (analist)")

    page.goto(f"/objecten/{police.pk}/")
    cluster = page.locator("[data-testid=cluster]")
    expect(cluster).to_contain_text("Rotterdam Trading Holding B.V.")
    expect(cluster).to_contain_text("gemeld door Douane")
    expect(cluster).to_contain_text("gekoppeld door een analist")
    axe_check(page)

    page.goto(f"/koppelingen/{pair.pk}/")
    page.click("text=Dit besluit ongedaan maken")
    expect(page.locator("[data-testid=pair-status]")).to_have_text("wacht op beoordeling")
    page.goto(f"/objecten/{police.pk}/")
    expect(page.locator("[data-testid=cluster]")).to_have_count(0)
    page.goto(f"/objecten/{customs.pk}/")
    expect(page.locator("[data-testid=cluster]")).to_have_count(0)
