"""The tables in docs/ are generated from the code; these tests keep them equal."""

from __future__ import annotations

import re
from pathlib import Path

from havenbeeld.accounts.policy import roles_markdown
from havenbeeld.core.env import settings_markdown

DOCS = Path(__file__).resolve().parents[3] / "docs"


def table(path: Path, name: str) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*)<!-- {name}:end -->", text, re.S)
    assert match, f"{path} lacks the {name} markers"
    return match.group(1)


def test_roles_doc_matches_the_policy():
    assert table(DOCS / "roles.md", "roles-table") == roles_markdown(), (
        "docs/roles.md is out of date: run scripts/update_docs.py")


def test_configuration_doc_lists_every_variable():
    assert table(DOCS / "configuration.md", "settings-table") == settings_markdown(), (
        "docs/configuration.md is out of date: run scripts/update_docs.py")
