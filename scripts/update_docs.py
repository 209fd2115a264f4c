"""Regenerate the tables in docs/ from the code (roles and environment variables)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def replace(path: Path, name: str, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf"(<!-- {name}:start -->\n).*(<!-- {name}:end -->)",
                  lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
    path.write_text(text, encoding="utf-8")


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
    os.environ.setdefault("HAVENBEELD_ENV", "development")
    import django

    django.setup()
    from havenbeeld.accounts.policy import roles_markdown
    from havenbeeld.core.env import settings_markdown

    replace(ROOT / "docs" / "roles.md", "roles-table", roles_markdown())
    replace(ROOT / "docs" / "configuration.md", "settings-table", settings_markdown())
    print("docs/roles.md and docs/configuration.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
