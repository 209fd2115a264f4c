"""Fixtures for browser tests: Debian's Chromium driven by Playwright, plus an axe-core check.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium`` (or
``HAVENBEELD_CHROMIUM``). Without it the browser tests are skipped with a message saying how to
install it — unless ``HAVENBEELD_REQUIRE_BROWSER=true`` (CI), where a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("HAVENBEELD_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = (f"Chromium not found at {CHROMIUM}; install Debian's chromium "
                   "(apt-get install chromium) or set HAVENBEELD_CHROMIUM.")
        if os.environ.get("HAVENBEELD_REQUIRE_BROWSER") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """Make pages in fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def make():
        # bypass_csp lets the test inject axe-core; the CSP itself is tested without a browser.
        context = browser.new_context(locale="nl-NL", base_url=live_server.url,
                                      bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_check(page: object) -> None:
    """Fail on any serious or critical WCAG 2.1 A/AA violation axe-core finds on the page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing; run `make assets` (npm ci) first.")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in bad)


def sign_in_page(page: object, user: object) -> None:
    """Sign a demo-style test user in through the real pages (password, then TOTP code)."""
    import re

    from playwright.sync_api import expect

    from havenbeeld.core.testing import PASSWORD, current_code

    page.goto("/inloggen/")
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("#id_code", current_code(user))
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/werkruimte/$"))
