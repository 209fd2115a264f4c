"""Strict, self-documenting reading of settings from environment variables.

Every variable the application reads is declared through one of the functions here, which
record the declaration in ``DECLARED`` so that ``havenbeeld settings-doc`` (and
``docs/configuration.md``) list them from the same source. Parsing fails closed: a boolean is
``true`` or ``false`` and nothing else; an integer that does not parse stops start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigurationError(Exception):
    """A setting from the environment is missing or malformed."""


@dataclass(frozen=True)
class Declaration:
    name: str
    kind: str
    default: str
    help: str


DECLARED: dict[str, Declaration] = {}


def _declare(name: str, kind: str, default: object, help: str) -> str | None:
    DECLARED[name] = Declaration(name, kind, "" if default is None else str(default), help)
    return os.environ.get(name)


def env_str(name: str, default: str, help: str, doc_default: str | None = None) -> str:
    raw = _declare(name, "string", doc_default or default, help)
    return default if raw is None or raw == "" else raw


def env_bool(name: str, default: bool, help: str, doc_default: str | None = None) -> bool:
    """``doc_default`` describes a default that depends on the environment, for the docs."""
    raw = _declare(name, "boolean", doc_default or ("true" if default else "false"), help)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ConfigurationError(f"{name} must be 'true' or 'false', not {raw!r}")


def env_int(name: str, default: int, help: str, minimum: int = 0) -> int:
    raw = _declare(name, "integer", default, help)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str], help: str) -> list[str]:
    raw = _declare(name, "comma-separated list", ",".join(default), help)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, help: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    raw = _declare(name, "secret", None, help + f" (or a file named by {name}_FILE)")
    DECLARED[f"{name}_FILE"] = Declaration(
        f"{name}_FILE", "path", "", f"File holding {name}, for secrets mounted as files."
    )
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"{name}_FILE cannot be read: {exc}") from None
    return raw or None


def settings_markdown() -> str:
    """The table of docs/configuration.md, from the declarations made while reading settings."""
    lines = ["| Variable | Kind | Default | Meaning |", "|---|---|---|---|"]
    for declaration in sorted(DECLARED.values(), key=lambda d: d.name):
        default = declaration.default
        if declaration.name in {"HAVENBEELD_VAR_DIR", "DATABASE_URL"}:
            default = "(under the checkout's var/)"
        default = f"`{default}`" if default else "—"
        lines.append(f"| `{declaration.name}` | {declaration.kind} | {default} | "
                     f"{declaration.help} |")
    return "\n".join(lines) + "\n"
