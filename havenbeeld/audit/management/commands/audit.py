from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.audit import anchor


class Command(BaseCommand):
    help = ("Audit log tools. 'verify' walks the hash chain, checks it against the last anchor "
            "and names the first broken entry; 'anchor' appends the chain's head to the anchor "
            "file outside the database (schedule it, e.g. hourly).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args: object, action: str, **options: object) -> None:
        try:
            if action == "anchor":
                written = anchor.write_anchor()
                self.stdout.write(self.style.SUCCESS(
                    f"Anchored entry {written.last_event_id} ({written.entries} entries) in "
                    f"{anchor.anchor_path()}."))
                return
            last = anchor.last_anchor()
            result = anchor.verify_against_anchor()
        except anchor.AnchorError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at entry {result.first_broken_id} after {result.checked} "
                f"intact entries: {result.reason}. / Auditketen verbroken bij regel "
                f"{result.first_broken_id}."
            )
        if last is None:
            self.stdout.write(self.style.WARNING(
                f"Audit chain intact: {result.checked} entries; no anchor yet in "
                f"{anchor.anchor_path()} (run 'havenbeeld audit anchor'). / Nog geen anker."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {result.checked} entries, reaching the anchor of {last.at}."))
