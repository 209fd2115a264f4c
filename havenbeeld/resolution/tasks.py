"""Background task of a resolution run (progress kept on the ``ResolutionRun`` row)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_resolution_task(run_id: int) -> None:
    from havenbeeld.resolution.services import execute_run

    execute_run(run_id)
