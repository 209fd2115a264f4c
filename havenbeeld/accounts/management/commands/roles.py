from __future__ import annotations

from django.core.management.base import BaseCommand

from havenbeeld.accounts import policy


class Command(BaseCommand):
    help = "Print the table of what each role may do (the table of docs/roles.md)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(policy.roles_markdown(), ending="")
