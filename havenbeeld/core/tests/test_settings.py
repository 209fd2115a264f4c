"""Settings fail closed: production refuses unsafe or incomplete configuration."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from havenbeeld.core.env import ConfigurationError, env_bool, env_int


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("HAVENBEELD_") and k != "DATABASE_URL"}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import havenbeeld.settings as s; print(s.DEBUG, s.DATABASES)"],
        env=clean, capture_output=True, text=True, check=False)


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(HAVENBEELD_ENV="production")
    assert result.returncode != 0
    assert "HAVENBEELD_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = load_settings(HAVENBEELD_ENV="production", HAVENBEELD_SECRET_KEY="s" * 50,
                           HAVENBEELD_DEBUG="true")
    assert result.returncode != 0
    assert "HAVENBEELD_DEBUG=true is not allowed" in result.stderr


def test_production_defaults_are_debug_off_and_sqlite_under_var(tmp_path):
    result = load_settings(HAVENBEELD_ENV="production", HAVENBEELD_SECRET_KEY="s" * 50,
                           HAVENBEELD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")
    assert str(tmp_path / "havenbeeld.sqlite3") in result.stdout


def test_the_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("k" * 50)
    result = load_settings(HAVENBEELD_ENV="production", HAVENBEELD_SECRET_KEY_FILE=str(secret),
                           HAVENBEELD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_unknown_environment_is_refused():
    result = load_settings(HAVENBEELD_ENV="staging")
    assert result.returncode != 0 and "HAVENBEELD_ENV" in result.stderr


@pytest.mark.parametrize("raw", ["yes", "1", "True ", "on"])
def test_booleans_are_true_or_false_and_nothing_else(monkeypatch, raw):
    monkeypatch.setenv("HB_TEST_FLAG", raw)
    with pytest.raises(ConfigurationError, match="HB_TEST_FLAG must be 'true' or 'false'"):
        env_bool("HB_TEST_FLAG", False, "test flag")


def test_integers_must_parse_and_respect_their_minimum(monkeypatch):
    monkeypatch.setenv("HB_TEST_INT", "tien")
    with pytest.raises(ConfigurationError, match="whole number"):
        env_int("HB_TEST_INT", 5, "test")
    monkeypatch.setenv("HB_TEST_INT", "0")
    with pytest.raises(ConfigurationError, match="at least 1"):
        env_int("HB_TEST_INT", 5, "test", 1)


def test_the_web_server_s_process_settles_its_heap_before_the_first_request(tmp_path):
    """``havenbeeld/wsgi.py`` loads the URL configuration and freezes what the process holds
    (``core.startup.settle_heap``): the collector's full collections no longer walk it."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("HAVENBEELD_") and k != "DATABASE_URL"}
    clean.update(HAVENBEELD_ENV="test", HAVENBEELD_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", "import gc, sys; import havenbeeld.wsgi; "
         "print(gc.get_freeze_count(), 'havenbeeld.urls' in sys.modules)"],
        env=clean, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    frozen, urls_loaded = result.stdout.split()
    assert int(frozen) > 50_000 and urls_loaded == "True"
