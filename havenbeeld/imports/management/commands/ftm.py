"""``havenbeeld ftm export|import``: FollowTheMoney JSON lines in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.accounts.models import User
from havenbeeld.imports.ftm import export_entities, import_entities
from havenbeeld.registry.models import Source
from havenbeeld.registry.services import Provenance
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis


class Command(BaseCommand):
    help = ("Export what a user may see as FollowTheMoney JSON lines, or import FtM entities "
            "as that user's pieces.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        export.add_argument("--user", required=True)
        export.add_argument("--kind", default=None)
        export.add_argument("--output", type=Path, default=None)
        imp = sub.add_parser("import")
        imp.add_argument("file", type=Path)
        imp.add_argument("--user", required=True)
        imp.add_argument("--distribution", required=True, choices=Distribution.values)
        imp.add_argument("--legal-basis", required=True)
        imp.add_argument("--group", type=int, default=None)

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']}. / Geen actieve gebruiker.")
        if options["action"] == "export":
            out = options["output"].open("w", encoding="utf-8") if options["output"] \
                else sys.stdout
            count = 0
            for entity in export_entities(user, options["kind"]):
                out.write(json.dumps(entity, ensure_ascii=False) + "\n")
                count += 1
            if options["output"]:
                out.close()
            self.stderr.write(f"{count} entities exported.")
            return
        basis = LegalBasis.objects.filter(code=options["legal_basis"]).first()
        if basis is None:
            raise CommandError("Unknown legal basis. / Onbekende grondslag.")
        group = CollaborationGroup.objects.filter(pk=options["group"]).first() \
            if options["group"] else None
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file. / {path} is geen bestand.")
        with path.open("r", encoding="utf-8", errors="replace") as lines:
            report = import_entities(actor=user, lines=lines, provenance=Provenance(
                Source.IMPORT, options["distribution"], basis, group=group))
        self.stdout.write(f"{report.entities} entities: {report.objects_created} objects "
                          f"created, {report.pieces_recorded} pieces, {report.links} links, "
                          f"{len(report.errors)} errors.")
        for number, message in report.errors[:50]:
            self.stdout.write(f"  line {number}: {message}")
