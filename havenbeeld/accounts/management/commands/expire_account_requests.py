from __future__ import annotations

from django.core.management.base import BaseCommand

from havenbeeld.accounts.services import requests


class Command(BaseCommand):
    help = "Mark account requests older than HAVENBEELD_ACCOUNT_REQUEST_DAYS as expired."

    def handle(self, *args: object, **options: object) -> None:
        count = requests.expire_stale_requests()
        self.stdout.write(f"{count} account request(s) expired.")
