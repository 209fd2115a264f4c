from __future__ import annotations

from django.core.management.base import BaseCommand

from havenbeeld.sharing.requests import send_reminders


class Command(BaseCommand):
    help = "Remind holders of information requests due within two days or overdue (run daily)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{send_reminders()} reminder(s) sent.")
