"""Background task of a resolution run (progress kept on the ``ResolutionRun`` row)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_resolution_task(run_id: int) -> None:
    from havenbeeld.resolution.services import execute_run

    execute_run(run_id)


@task()
def intake_task(object_ids: list[int]) -> None:
    """Match objects that arrived in bulk (an import) in the background."""
    from havenbeeld.resolution.services import intake

    for start in range(0, len(object_ids), 5000):
        intake(object_ids[start:start + 5000])
