"""``havenbeeld analyze``: refresh the query planner's statistics (run daily, e.g. by cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from havenbeeld.core.database import refresh_statistics


class Command(BaseCommand):
    help = ("Refresh the database's query-planner statistics (ANALYZE; on PostgreSQL VACUUM "
            "(ANALYZE), which also lets index-only scans skip the tables). Run daily; imports, "
            "resolution runs and the demo do it when they finish.")

    def handle(self, *args: object, **options: object) -> None:
        seconds = refresh_statistics()
        self.stdout.write(f"Statistics refreshed in {seconds:.1f} s.")
