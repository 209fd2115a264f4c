"""``havenbeeld hitindex export|import``: exchange the keyed-hash hit index between instances."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.sharing.hitindex import export_entries, import_entries


class Command(BaseCommand):
    help = ("Export this instance's hit index (keyed hashes of identifiers, holders, counts; no "
            "identifiers, no BSN) or import another instance's.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        export.add_argument("--output", type=Path, default=None)
        imp = sub.add_parser("import")
        imp.add_argument("file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "export":
            out = options["output"].open("w", encoding="utf-8") if options["output"] \
                else sys.stdout
            count = 0
            for entry in export_entries():
                out.write(json.dumps(entry) + "\n")
                count += 1
            if options["output"]:
                out.close()
            self.stderr.write(f"{count} index entries exported.")
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file. / {path} is geen bestand.")
        with path.open("r", encoding="utf-8", errors="replace") as lines:
            result = import_entries(lines)
        self.stdout.write(f"{result.entries} entries of instance {result.instance!r} imported; "
                          f"{len(result.errors)} lines refused.")
        for number, message in result.errors[:20]:
            self.stdout.write(f"  line {number}: {message}")
