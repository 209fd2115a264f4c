"""Migration 0011 drops the provenance references' constraints and puts them back when
reversed, on SQLite (one rebuild of the pieces' table) and PostgreSQL alike."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import pytest

from havenbeeld.registry.models import Piece

PROVENANCE = {"organisation_id", "recorded_by_id", "group_id", "legal_basis_id"}
KEPT = {"object_id", "target_id", "corrects_id"}


def _constrained(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {column for spec in found.values() if spec["foreign_key"]
            for column in spec["columns"]}


def _migrate(target: tuple[str, str] | None) -> None:
    """To ``target``, or (None) to the latest of every app."""
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_provenance_constraints_go_and_come_back():
    assert _constrained(Piece._meta.db_table) & (PROVENANCE | KEPT) == KEPT
    assert _constrained("registry_name_token") == set()
    try:
        _migrate(("registry", "0010_unused_piece_indexes"))
        assert _constrained(Piece._meta.db_table) >= PROVENANCE | KEPT
        assert _constrained("registry_name_token") == {"piece_id"}
    finally:
        _migrate(None)
    assert _constrained(Piece._meta.db_table) & (PROVENANCE | KEPT) == KEPT
    assert _constrained("registry_name_token") == set()
