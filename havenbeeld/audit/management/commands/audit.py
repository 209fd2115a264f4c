from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.audit import chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and names the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: object, action: str, **options: object) -> None:
        result = chain.verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at entry {result.first_broken_id} after {result.checked} "
                f"intact entries: {result.reason}. / Auditketen verbroken bij regel "
                f"{result.first_broken_id}."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} entries."))
