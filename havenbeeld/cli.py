"""The ``havenbeeld`` console script: Django's ``manage.py`` under the project's name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "havenbeeld"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
