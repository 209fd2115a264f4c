"""A plain Splink model on the raw record fields: the yardstick for the platform's linker.

Configured the way Splink's own documentation configures FEBRL: its comparison library on the
fields as given (only trimmed and lower-cased), Splink's blocking rules, u by random sampling,
m by expectation maximisation, connected components at a match probability of 0.99. Nothing of
the platform's normalisation, blocking keys or conflict rules is used.
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from havenbeeld.resolution.features import PERSON, Record

THRESHOLD = 0.99
_COLUMNS = ("name", "first_name", "last_name", "birth_date", "founded", "street",
            "house_number", "postcode", "city", "identifiers")


def _row(record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {"record_id": str(record.record_id)}
    for column in _COLUMNS:
        if column == "identifiers":
            value = ";".join(f"{s}:{v}" for s, v in record.identifiers)
        else:
            value = getattr(record, column)
        row[column] = (value or "").strip().lower() or None
    if record.kind() == PERSON and not row["name"]:
        row["name"] = " ".join(filter(None, (row["first_name"], row["last_name"]))) or None
    return row


def _settings(person: bool) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if person:
        comparisons = [cl.NameComparison("name"), cl.NameComparison("first_name"),
                       cl.NameComparison("last_name"),
                       cl.LevenshteinAtThresholds("birth_date", [1, 2])]
        rules = [block_on("name"), block_on("first_name", "last_name"), block_on("birth_date"),
                 block_on("identifiers"), block_on("postcode", "house_number")]
    else:
        comparisons = [cl.JaroWinklerAtThresholds("name", [0.95, 0.88]),
                       cl.LevenshteinAtThresholds("founded", [1, 2])]
        rules = [block_on("name"), block_on("postcode", "house_number"), block_on("founded"),
                 block_on("identifiers")]
    comparisons += [cl.LevenshteinAtThresholds("postcode", [1]),
                    cl.ExactMatch("house_number"), cl.JaroWinklerAtThresholds("street"),
                    cl.JaroWinklerAtThresholds("city"),
                    cl.LevenshteinAtThresholds("identifiers", [2])]
    return SettingsCreator(link_type="dedupe_only", unique_id_column_name="record_id",
                           comparisons=comparisons,
                           blocking_rules_to_generate_predictions=rules), rules


def cluster(records: list[Record]) -> dict[str, str]:
    """record id -> cluster id, by plain Splink."""
    import duckdb
    from splink import Linker
    from splink.internals.duckdb.database_api import DuckDBAPI

    clusters = {str(r.record_id): str(r.record_id) for r in records}
    for person in (True, False):
        rows = [_row(r) for r in records if (r.kind() == PERSON) == person]
        if len(rows) < 2:
            continue
        connection = duckdb.connect()
        try:
            schema = pa.schema([("record_id", pa.string())]
                               + [(c, pa.string()) for c in _COLUMNS])
            connection.register("baseline_input", pa.Table.from_pylist(rows, schema=schema))
            connection.execute("CREATE TABLE baseline AS SELECT * FROM baseline_input")
            api = DuckDBAPI(connection)
            settings, rules = _settings(person)
            linker = Linker(api.register("baseline"), settings, log_level=logging.CRITICAL)
            linker.training.estimate_probability_two_random_records_match(
                [rules[0]], recall=0.7)
            linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=7)
            for rule in rules[:3]:
                before = linker.misc.save_model_to_json()
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule, record_sample_proportion=1.0)
                except Exception:  # a rule with no pairs in this data set: skip it
                    linker = Linker(api.register("baseline"), before, log_level=logging.CRITICAL)
            predictions = linker.inference.predict(threshold_match_probability=0.5)
            clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
                predictions, THRESHOLD)
            for record_id, cluster_id in connection.execute(
                    f"SELECT record_id, cluster_id FROM {clustered.physical_name}"  # noqa: S608
            ).fetchall():
                clusters[str(record_id)] = str(cluster_id)
        finally:
            connection.close()
    return clusters
