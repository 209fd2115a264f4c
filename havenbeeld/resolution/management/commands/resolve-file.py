"""``havenbeeld resolve-file --input records.csv --output clusters.csv``: the file contract."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.resolution import contract
from havenbeeld.resolution.features import features
from havenbeeld.resolution.linker import LINK_WEIGHT, link


class Command(BaseCommand):
    help = ("Cluster the records of a CSV file with the platform's matching code and write "
            "record_id,cluster_id for every record. See the README, 'Entity resolution'.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--link-weight", type=float, default=LINK_WEIGHT,
                            help="Match weight (log2 odds) from which a pair links; "
                                 f"default {LINK_WEIGHT} (probability 0.97).")
        parser.add_argument("--model-out", type=Path,
                            help="Also write the trained models (Splink settings) as JSON.")

    def handle(self, *args: object, **options: object) -> None:
        start = time.perf_counter()
        try:
            rows = [features(record) for record in contract.read_records(options["input"])]
        except contract.ContractError as error:
            raise CommandError(f"{error} / {options['input']}") from None
        result = link(rows, link_weight=options["link_weight"])
        contract.write_clusters(options["output"], result.clusters)
        if options["model_out"]:
            options["model_out"].write_text(json.dumps(result.models, indent=2))
        clusters = len(set(result.clusters.values()))
        self.stdout.write(f"{len(result.clusters)} records, {clusters} clusters, "
                          f"{len(result.links)} links, {len(result.review)} pairs for review, "
                          f"{time.perf_counter() - start:.1f} s -> {options['output']}")
