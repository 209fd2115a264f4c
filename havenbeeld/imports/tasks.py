"""Background tasks of the import (django-tasks; the database backend by default)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_task(job_id: int) -> None:
    from havenbeeld.imports.services import run_import

    run_import(job_id)
