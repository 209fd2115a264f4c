from __future__ import annotations

from django.core.cache import cache
from django.utils import translation

import pytest

from havenbeeld.core.testing import World, build_world

pytest_plugins = ["havenbeeld.core.browser_fixtures"]


@pytest.fixture(autouse=True)
def _dutch_and_clean(settings):
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECURE_SSL_REDIRECT = False
    cache.clear()
    with translation.override("nl"):
        yield


@pytest.fixture
def world(db) -> World:
    return build_world()
