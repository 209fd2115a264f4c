"""``havenbeeld resolve``: re-link every object (idempotent), with progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from havenbeeld.resolution import services


class Command(BaseCommand):
    help = ("Re-link all objects: profiles and blocking keys, the model (trained if there is "
            "none, or with --retrain), pairs, review queue and clusters. Analysts' decisions "
            "are kept. Running it twice changes nothing the second time.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retrain", action="store_true", help="Retrain the models first.")
        parser.add_argument("--queue", action="store_true",
                            help="Run as a background task instead of in the foreground.")

    def handle(self, *args: object, retrain: bool, queue: bool, **options: object) -> None:
        if queue:
            run = services.start_run(actor=None, retrain=retrain)
            self.stdout.write(f"Resolution run {run.pk} queued.")
            return
        report = services.run_batch(
            retrain=retrain, progress=lambda step, pct: self.stdout.write(f"{pct:3d}% {step}"))
        self.stdout.write(f"Done: {report}")
