"""``havenbeeld import FILE --mapping NAME --user EMAIL``: the same import as the web page."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.accounts.models import User
from havenbeeld.imports import services
from havenbeeld.imports.models import ColumnMapping, ImportJob


class Command(BaseCommand):
    help = ("Import a CSV or XLSX file with a saved column mapping, as the given user. Runs in "
            "the foreground and prints the report; re-running the same file adds nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="Name of the saved column mapping.")
        parser.add_argument("--user", required=True, help="E-mail of the importing user.")
        parser.add_argument("--chunked", action="store_true",
                            help="Commit in resumable chunks even for a small file.")
        parser.add_argument("--check-only", action="store_true",
                            help="Only check the file and print the problems.")
        parser.add_argument("--resume", type=int, metavar="JOB",
                            help="Resume an interrupted chunked import by its number.")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']}. / Geen actieve gebruiker.")
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"], created_by=user).first()
            if job is None:
                raise CommandError("No such import of this user. / Onbekende import.")
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
            self._report(services.run_import(job.pk))
            return
        mapping = ColumnMapping.objects.filter(organisation=user.organisation,
                                               name=options["mapping"]).first()
        if mapping is None:
            raise CommandError(f"Organisation {user.organisation} has no mapping "
                               f"{options['mapping']!r}. / Onbekende kolomkoppeling.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file. / {path} is geen bestand.")
        with path.open("rb") as handle:
            try:
                job = services.start_import(actor=user, mapping=mapping,
                                            uploaded=File(handle, name=path.name),
                                            chunked=True if options["chunked"] else None)
            except services.ImportError_ as exc:
                raise CommandError(exc.message) from None
        check = services.preview(job)
        self.stdout.write(f"Import {job.pk}: {job.total_rows} rows, "
                          f"{'chunked' if job.chunked else 'all or nothing'}.")
        for number, problem in check.problems[:50]:
            self.stdout.write(f"  row {number} {problem.column}: {problem.message}")
        if options["check_only"]:
            services.cancel_import(actor=user, job=job)
            return
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        self._report(services.run_import(job.pk))

    def _report(self, job: ImportJob) -> None:
        self.stdout.write(
            f"{job.get_status_display()}: {job.created_objects} objects, {job.created_pieces} "
            f"pieces, {job.skipped_rows} rows already imported, {job.error_rows} rows with "
            f"errors. {job.message}")
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(f"Import {job.pk} failed; resume with --resume {job.pk}.")
