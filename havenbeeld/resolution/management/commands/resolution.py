"""``havenbeeld resolution evaluate|train|show``: measure, train and inspect the model."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.resolution import evaluation, services
from havenbeeld.resolution.features import COMPANY, PERSON
from havenbeeld.resolution.model import parameters


class Command(BaseCommand):
    help = ("Entity resolution: 'evaluate' reports pairwise precision, recall and F1 on FEBRL 3, "
            "FEBRL 4 and the demo world's planted duplicates beside a plain Splink baseline; "
            "'train' retrains the models on the registry; 'show' prints the model parameters.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("evaluate", "train", "show"))
        parser.add_argument("--dataset", action="append",
                            choices=sorted(evaluation.DATA_SETS),
                            help="Data set to evaluate (repeatable; default: all).")
        parser.add_argument("--no-baseline", action="store_true",
                            help="Skip the Splink baseline.")
        parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
        parser.add_argument("--kind", choices=(PERSON, COMPANY), default=None)

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "train":
            counts = services.train()
            self.stdout.write(f"Trained on {counts[PERSON]} persons and {counts[COMPANY]} "
                              "companies.")
        elif action == "show":
            kinds = [options["kind"]] if options["kind"] else [PERSON, COMPANY]
            for kind in kinds:
                self.stdout.write(f"== {kind}")
                for line in describe(services.active_settings(kind)):
                    self.stdout.write(line)
        else:
            self._evaluate(options)

    def _evaluate(self, options: dict) -> None:
        names = options["dataset"] or sorted(evaluation.DATA_SETS)
        report = {}
        for name in names:
            records, truth = evaluation.DATA_SETS[name]()
            if not records:
                if options["dataset"]:
                    raise CommandError(f"No records in {name} (build the demo world first). / "
                                       f"Geen records in {name}.")
                continue
            result = evaluation.evaluate(records, truth,
                                         with_baseline=not options["no_baseline"])
            report[name] = result
            ours = result["havenbeeld"]
            line = (f"{name:8} {result['records']:>8} records  havenbeeld P {ours['precision']:.4f}"
                    f" R {ours['recall']:.4f} F1 {ours['f1']:.4f} ({ours['seconds']:.1f} s)")
            if "splink_baseline" in result:
                base = result["splink_baseline"]
                line += (f"  | Splink baseline P {base['precision']:.4f} R {base['recall']:.4f} "
                         f"F1 {base['f1']:.4f} ({base['seconds']:.1f} s)")
            self.stdout.write(line)
        if options["json"]:
            options["json"].write_text(json.dumps(report, indent=2, default=str))


def describe(settings: dict) -> list[str]:
    """The parameters of a model as lines: per level m, u and the match weight."""
    prior = settings["probability_two_random_records_match"]
    lines = [f"prior probability two records match: {prior:.3g}",
             f"trained: {settings.get('trained_on', {})}"]
    for description, levels in parameters(settings):
        lines.append(f"  {description}")
        lines += [f"    {lv.label:45} m {lv.m:.4f} u {lv.u:.5f} weight {lv.weight:+.2f}"
                  for lv in levels]
    return lines
