"""Browser tests: the whole account journey, lockout, language switch — with axe on each page."""

from __future__ import annotations

import base64
import re

from django.core import mail

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from havenbeeld.core.browser_fixtures import axe_check
from havenbeeld.core.testing import PASSWORD, build_world, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in_mail(path_fragment: str) -> str:
    for message in reversed(mail.outbox):
        found = re.search(r"https?://\S+(" + re.escape(path_fragment) + r"\S+)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no mail with {path_fragment}: {[m.subject for m in mail.outbox]}")


def sign_in(page, email: str, password: str, code: str) -> None:
    page.goto("/inloggen/")
    axe_check(page)
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/inloggen/code/$"))
    axe_check(page)
    page.fill("#id_code", code)
    page.click("main button[type=submit]")


def test_request_confirm_approve_set_password_enrol_and_sign_in(new_page, settings):
    world = build_world()
    page = new_page()
    page.goto("/")
    axe_check(page)
    page.click("main a[href='/account-aanvragen/']")
    expect(page.locator("h1")).to_have_text("Account aanvragen")
    axe_check(page)
    page.click("main button[type=submit]")  # empty: errors shown, accessibly
    expect(page.locator("[role=alert]")).to_be_visible()
    axe_check(page)
    page.fill("#id_full_name", "Femke de Haan")
    page.fill("#id_email", "femke.dehaan@politie.example")
    page.select_option("#id_organisation", label="Zeehavenpolitie")
    page.fill("#id_function", "Wijkagent Waalhaven")
    page.fill("#id_phone", "010 765 4321")
    page.fill("#id_motivation", "Signalen van terminals inzien en aanvullen.")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("femke.dehaan@politie.example")

    page.goto(link_in_mail("/account-aanvragen/bevestigen/"))
    axe_check(page)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("E-mailadres bevestigd")

    coordinator = new_page()
    sign_in(coordinator, "coordinator@politie.example", PASSWORD,
            current_code(world.police_coordinator))
    expect(coordinator).to_have_url(re.compile(r"/werkruimte/$"))
    coordinator.goto("/beheer/aanvragen/")
    axe_check(coordinator)
    coordinator.click("text=Femke de Haan")
    axe_check(coordinator)
    coordinator.select_option("#approve_role", "analyst")
    coordinator.click("form:has(input[value=approve]) button[type=submit]")
    expect(coordinator.locator("[role=status]").first).to_contain_text("goedgekeurd")

    applicant = new_page()
    applicant.goto(link_in_mail("/wachtwoord-instellen/"))
    axe_check(applicant)
    applicant.fill("#id_password1", "Waalhaven-Ronde-2026")
    applicant.fill("#id_password2", "Waalhaven-Ronde-2026")
    applicant.click("main button[type=submit]")
    expect(applicant).to_have_url(re.compile(r"/inloggen/tweestapsverificatie/$"))
    expect(applicant.locator(".hb-qr svg")).to_be_visible()
    axe_check(applicant)
    secret = applicant.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    applicant.fill("#id_code", f"{totp(base64.b32decode(secret)):06d}")
    applicant.click("main button[type=submit]")
    expect(applicant.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    axe_check(applicant)
    applicant.click("main a.utrecht-button-link")
    expect(applicant).to_have_url(re.compile(r"/werkruimte/$"))
    expect(applicant.locator("main")).to_contain_text("Femke de Haan")
    axe_check(applicant)
    applicant.goto("/onderdeel/analyses/")
    expect(applicant.locator("main")).to_contain_text("nog niet beschikbaar")
    axe_check(applicant)


def test_repeated_wrong_passwords_lock_the_account(new_page, settings):
    settings.LOCKOUT_ACCOUNT_FAILURES = 5
    build_world()
    page = new_page()
    for _ in range(5):
        page.goto("/inloggen/")
        page.fill("#id_email", "analist@politie.example")
        page.fill("#id_password", "Verkeerd-wachtwoord-1")
        page.click("main button[type=submit]")
        expect(page.locator("[role=alert]")).to_be_visible()
    page.goto("/inloggen/")
    page.fill("#id_email", "analist@politie.example")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("Te veel mislukte pogingen")
    expect(page).to_have_url(re.compile(r"/inloggen/$"))
    axe_check(page)


def test_the_language_can_be_switched(new_page):
    page = new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.click("button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Request an account")
    axe_check(page)
    page.click("button[name=language][value=nl]")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
