"""Browser test: import a file → search it back in another spelling → open the object page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from havenbeeld.core.browser_fixtures import axe_check, sign_in_page
from havenbeeld.core.testing import build_world
from havenbeeld.imports.services import save_mapping
from havenbeeld.sharing.models import LegalBasis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = ("Naam;KvK-nummer;Plaats\n"
       "Zuidkade Handel B.V.;1234 5678;Rotterdam\n"
       "Noordpier Cargo BV;87654321;Vlissingen\n"
       "Kapot B.V.;1234;Moerdijk\n")


def test_import_then_search_then_object_page(new_page, tmp_path, settings):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    world = build_world()
    save_mapping(actor=world.customs_analyst, name="Importeurs", kind="company",
                 columns={"Naam": "name", "KvK-nummer": "identifier:kvk", "Plaats": "city"},
                 key_column="KvK-nummer", distribution="convenant",
                 legal_basis=LegalBasis.objects.get(code="awr-douane"))
    csv_path = tmp_path / "importeurs.csv"
    csv_path.write_text(CSV, encoding="latin-1")

    page = new_page()
    sign_in_page(page, world.customs_analyst)
    page.goto("/importeren/")
    axe_check(page)
    page.select_option("#id_mapping", label="Importeurs")
    page.set_input_files("#id_file", str(csv_path))
    page.click("main button[type=submit]")
    expect(page.locator("[data-testid=preview-problems]")).to_contain_text("8 cijfers")
    axe_check(page)
    page.click("text=Import starten")
    expect(page.locator("[data-testid=import-report]")).to_contain_text("2")
    expect(page.locator("[data-testid=row-errors]")).to_contain_text("4")
    axe_check(page)

    analyst = new_page()
    sign_in_page(analyst, world.police_analyst)
    analyst.goto("/objecten/?q=12.34.56.78")
    axe_check(analyst)
    analyst.click("text=Zuidkade Handel B.V.")
    expect(analyst.locator("h1")).to_have_text("Zuidkade Handel B.V.")
    expect(analyst.locator("main")).to_contain_text("Douane")
    expect(analyst.locator("main")).to_contain_text("publieke convenantpartners")
    axe_check(analyst)

    terminal = new_page()
    sign_in_page(terminal, world.terminal_contributor)
    terminal.goto("/objecten/?q=Zuidkade")
    expect(terminal.locator("main")).to_contain_text("Niets gevonden")
