"""Browser test: a terminal contributor reports an uithaler signal from the form, an RIEC
analyst sees it correlated with an earlier Customs piece and triages it, the contributor sees
the new status and the feedback — never the Customs piece."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from havenbeeld.accounts.models import Role
from havenbeeld.core.browser_fixtures import axe_check, sign_in_page
from havenbeeld.core.testing import build_world, make_user
from havenbeeld.places.models import Port
from havenbeeld.registry.models import ObjectKind, Property, Source
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution, LegalBasis
from havenbeeld.signals.themes import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_triage_and_feedback(new_page, settings, tmp_path):
    settings.SIGNAL_ATTACHMENT_DIR = tmp_path
    world = build_world()
    seed()
    rotterdam = Port.objects.create(name="Rotterdam", slug="rotterdam", province="Zuid-Holland",
                                    riec_region="rotterdam", latitude=51.95,
                                    longitude=4.14)
    for organisation in (world.terminal, world.riec, world.customs):
        organisation.ports.add(rotterdam)
    riec_analyst = make_user("analist@riec.example", world.riec, Role.ANALYST,
                             name="Rianne Analist")
    create_object(actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
                  facts=[Fact(Property.IDENTIFIER, "MSCU1234566", scheme="container"),
                         Fact(Property.CARGO, "Bananen uit Guayaquil")],
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                        LegalBasis.objects.get(code="awr-douane")))

    page = new_page()
    sign_in_page(page, world.terminal_contributor)
    page.click("nav >> text=Signalen")
    page.click("[data-testid=report-signal]")
    page.select_option("#id_theme", "uithalers")
    page.fill("#id_title", "Uithaler aangetroffen in reefer")
    page.fill("#id_description", "Persoon verstopt in container bij stack 14, 03:10 uur.")
    page.select_option("#id_legal_basis", "wgs")
    page.select_option("#id_objects-0-kind", "container")
    expect(page.locator("#id_objects-0-registration")).to_be_hidden()
    page.select_option("#id_objects-0-scheme", "container")
    page.fill("#id_objects-0-identifier", "MSCU 123456 5")
    page.locator("#id_objects-0-identifier").blur()
    suggestion = page.locator("[data-use-suggestion]")
    expect(suggestion).to_contain_text("MSCU 123456 6")
    suggestion.click()
    expect(page.locator("#id_objects-0-identifier")).to_have_value("MSCU 123456 6")
    page.click("[data-testid=add-object]")
    page.select_option("#id_objects-1-kind", "vehicle")
    page.fill("#id_objects-1-registration", "XB-123-Z")
    axe_check(page)
    page.click("[data-testid=submit-signal]")
    expect(page.locator("[data-testid=signal-status]")).to_have_text("nieuw")
    reference = page.locator("h1").inner_text().split(" ")[0]

    # The analyst works in a browser of their own; the contributor stays signed in.
    contributor, page = page, new_page()
    sign_in_page(page, riec_analyst)
    page.click("nav >> text=Signalen")
    page.click("text=Triagewachtrij")
    page.click(f"text={reference}")
    expect(page.locator("[data-testid=correlations]")).to_contain_text("Bananen uit Guayaquil")
    expect(page.locator("[data-testid=correlations]")).to_contain_text("Douane")
    axe_check(page)
    page.select_option("#id_status", "in_progress")
    page.click("text=Status wijzigen")
    page.select_option("#id_status", "linked")
    page.fill("#id_analysis", "IA-2026-031")
    page.fill("#id_message", "Gekoppeld aan de analyse naar deze uithalersgroep.")
    page.click("text=Status wijzigen")
    expect(page.locator("[data-testid=signal-status]")).to_contain_text("gekoppeld aan een analyse")

    page = contributor
    page.goto("/werkruimte/")
    expect(page.locator("[data-testid=notifications-link]")).to_contain_text("2")
    page.click("nav >> text=Signalen")
    expect(page.locator("[data-testid=my-signals]")).to_contain_text("gekoppeld aan een analyse")
    page.click(f"text={reference}")
    expect(page.locator("[data-testid=signal-history]")).to_contain_text(
        "Gekoppeld aan de analyse naar deze uithalersgroep.")
    expect(page.locator("[data-testid=signal-linked]")).to_have_text("ja")
    expect(page.locator("main")).not_to_contain_text("Bananen")
    expect(page.locator("main")).not_to_contain_text("Douane")
    axe_check(page)
