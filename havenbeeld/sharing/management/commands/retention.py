"""``havenbeeld retention``: remove what is past its retention date (run daily, e.g. by cron)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from havenbeeld.sharing.retention import apply_retention


class Command(BaseCommand):
    help = "Remove pieces past their retain-until date and objects left empty; logs counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="Apply as if today were this date (YYYY-MM-DD).")

    def handle(self, *args: object, date: dt.date | None, **options: object) -> None:
        report = apply_retention(date)
        self.stdout.write(f"{report.pieces_removed} pieces and {report.objects_removed} objects "
                          f"removed; per legal basis: {dict(report.by_legal_basis)}; "
                          f"{report.pinned} kept by open work; other records removed: "
                          f"{report.other}")
