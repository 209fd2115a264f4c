"""The tables an import writes to carry no index that no query uses (every index costs an
entry per row written): migrations registry 0010 and imports 0003."""

from __future__ import annotations

from django.db import connection

import pytest

pytestmark = pytest.mark.django_db


def _constraints(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _indexed_columns(table: str) -> dict[str, list[str]]:
    return {name: c["columns"] for name, c in _constraints(table).items() if c["index"]}


def test_pieces_have_no_index_of_their_legal_basis_or_recorder():
    indexed = _indexed_columns("registry_piece").values()
    assert ["legal_basis_id"] not in indexed
    assert ["recorded_by_id"] not in indexed
    assert ["object_id", "property"] in indexed  # the others stay


def test_a_row_record_s_mapping_is_indexed_once():
    assert ["mapping_id"] not in _indexed_columns("imports_importedrecord").values()
    unique = _constraints("imports_importedrecord")["unique_row_key_per_mapping"]
    assert unique["unique"] and unique["columns"] == ["mapping_id", "row_key"]


def test_an_object_s_kind_has_no_second_index_for_like():
    names = _indexed_columns("registry_object")
    assert [name for name, columns in names.items() if columns == ["kind"]] == [
        "registry_object_kind_141fe662"]
