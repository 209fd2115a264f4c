"""``havenbeeld signals import --file F --user EMAIL [--mapping NAME]``: report signals from a
CSV/XLSX file (with one of the user's organisation's saved column mappings);
``havenbeeld signals themes``: list the themes."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.accounts.models import User
from havenbeeld.signals import files
from havenbeeld.signals.models import Theme


class Command(BaseCommand):
    help = ("Signals: 'import' submits every row of a CSV or XLSX file as a signal of --user "
            "(columns in the README; a re-run of the same file adds nothing); 'themes' lists "
            "the themes.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("import", "themes"))
        parser.add_argument("--file", type=Path)
        parser.add_argument("--user", help="E-mail address of the reporting user.")
        parser.add_argument("--max-rows", type=int, default=10_000)
        parser.add_argument("--mapping", default="",
                            help="Name of a saved column mapping of the user's organisation.")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "themes":
            for theme in Theme.objects.filter(active=True):
                self.stdout.write(f"{theme.code}\t{theme.name}")
            return
        path, email = options["file"], options["user"]
        if not path or not email:
            raise CommandError("import needs --file and --user.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        try:
            mapping = files.mapping_for(user, options["mapping"]) if options["mapping"] else None
            report = files.import_file(actor=user, path=path, max_rows=options["max_rows"],
                                       mapping=mapping)
        except files.SignalFileError as exc:
            raise CommandError(exc.message) from None
        for error in report.errors:
            self.stderr.write(f"row {error.row}: {error.message}")
        self.stdout.write(f"{report.rows} rows: {len(report.created)} signals reported, "
                          f"{report.already} already reported by an earlier run, "
                          f"{len(report.errors)} rows refused.")
        if report.errors:
            raise CommandError(f"{len(report.errors)} rows were refused (see above).")
