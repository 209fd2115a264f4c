from __future__ import annotations

from django.core.management.base import BaseCommand

from havenbeeld.core.env import settings_markdown


class Command(BaseCommand):
    help = "Print the table of environment variables (the table of docs/configuration.md)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(settings_markdown(), ending="")
