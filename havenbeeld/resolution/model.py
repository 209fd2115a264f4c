"""The probabilistic model: Splink settings, training on DuckDB, and scoring in Python.

A model is a plain Splink settings dictionary (comparisons with their levels, m and u
probabilities, the prior ``probability_two_random_records_match``), so Splink's DuckDB backend
trains it and runs it in batch, its Spark backend could run the same dictionary, and
``Scorer`` evaluates it on single pairs in Python for the real-time candidate lookup.

Training (``train``): u from random pairs, the prior from pairs that agree on a strong
identifier or on name and date together, m by expectation maximisation on pairs blocked by
name and, separately, by date or address (each session estimates the comparisons outside its
blocking rule). A data set too small or too sparse to train on keeps the ``default_settings``
(hand-set m and u values that rank evidence sensibly), and says so in ``trained_on``.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from havenbeeld.resolution.comparisons import COMPARISONS, Comparison
from havenbeeld.resolution.features import PERSON

log = logging.getLogger(__name__)

# Columns of the DuckDB input table, in order, with their Arrow types.
LIST_COLUMNS = ("name_tokens", "identifiers", "id_schemes", "strong_ids")
TEXT_COLUMNS = ("record_id", "source", "entity_type", "first_name", "first_initial",
                "last_name", "last_core", "last_phonetic", "name_key", "birth_date", "founded",
                "event_year", "postcode", "house_number", "street", "city", "country")
SCHEMA = pa.schema([(c, pa.string()) for c in TEXT_COLUMNS]
                   + [(c, pa.list_(pa.string())) for c in LIST_COLUMNS])

# Default m/u per level (excluding the null level), used until a model is trained. The values
# follow the shape Splink learns on Dutch registry data: exact agreement is strong, fuzzy
# agreement weaker, disagreement on a date or an identifier strongly against.
_DEFAULT_MU: dict[str, list[tuple[float, float]]] = {
    "first_name": [(0.75, 0.01), (0.08, 0.005), (0.02, 0.0005), (0.08, 0.05), (0.03, 0.02),
                   (0.04, 0.9145)],
    "last_name": [(0.8, 0.002), (0.05, 0.001), (0.07, 0.002), (0.02, 0.005), (0.02, 0.03),
                  (0.04, 0.96)],
    "birth_date": [(0.85, 0.0001), (0.08, 0.001), (0.02, 0.0001), (0.02, 0.01), (0.01, 0.02),
                   (0.02, 0.9688)],
    "founded": [(0.85, 0.0002), (0.07, 0.002), (0.02, 0.0002), (0.02, 0.02), (0.02, 0.03),
                (0.02, 0.9476)],
    "name_key": [(0.7, 0.0005), (0.12, 0.0008), (0.06, 0.002), (0.05, 0.005), (0.04, 0.05),
                 (0.03, 0.9417)],
    "postcode": [(0.85, 0.001), (0.06, 0.01), (0.05, 0.02), (0.04, 0.969)],
    "house_number": [(0.85, 0.02), (0.15, 0.98)],
    "street": [(0.8, 0.005), (0.1, 0.01), (0.04, 0.05), (0.06, 0.935)],
    "city": [(0.85, 0.05), (0.08, 0.02), (0.07, 0.93)],
    "identifiers": [(0.9, 0.0005), (0.05, 0.001), (0.05, 0.9985)],
}


def comparisons_for(kind: str) -> tuple[Comparison, ...]:
    return COMPARISONS[kind]


def fits(kind: str, settings: dict[str, Any]) -> bool:
    """Whether a saved model has this version's comparisons for ``kind``, level by level (a
    model trained before a comparison changed must be retrained)."""
    try:
        return [(c["output_column_name"], [lv.get("label_for_charts")
                                           for lv in c["comparison_levels"]])
                for c in settings["comparisons"]] == [
            (c.name, [lv.label for lv in c.levels]) for c in comparisons_for(kind)]
    except (KeyError, TypeError):
        return False


def default_settings(kind: str) -> dict[str, Any]:
    """An untrained but usable model for ``kind``."""
    settings = _base_settings(kind)
    for comparison in settings["comparisons"]:
        values = _DEFAULT_MU[comparison["output_column_name"]]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level, (m, u) in zip(levels, values, strict=True):
            level["m_probability"] = m
            level["u_probability"] = u
    settings["probability_two_random_records_match"] = 1e-5
    return settings


# Levels whose m EM drives to zero on real data (Splink 5 then refuses the session): two records
# of one entity with different identifiers of one scheme are rare but not impossible (a typo of
# two characters, a renumbered branch). Their m stays at the default during training.
FIXED_M = {("identifiers", "else")}


def base_settings(kind: str) -> dict[str, Any]:
    settings = _base_settings(kind)
    defaults = default_settings_levels(kind)
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if (name, level.get("label_for_charts")) in FIXED_M:
                level["m_probability"] = defaults[name][level["label_for_charts"]][0]
                level["fix_m_probability"] = True
    return settings


def default_settings_levels(kind: str) -> dict[str, dict[str, tuple[float, float]]]:
    levels: dict[str, dict[str, tuple[float, float]]] = {}
    for comparison in comparisons_for(kind):
        values = iter(_DEFAULT_MU[comparison.name])
        levels[comparison.name] = {lv.label: next(values) for lv in comparison.levels
                                   if not lv.is_null}
    return levels


def _base_settings(kind: str) -> dict[str, Any]:
    person = kind == PERSON
    rules = (["l.last_core = r.last_core AND l.first_initial = r.first_initial",
              "l.birth_date = r.birth_date"] if person else
             ["l.name_key = r.name_key", "l.postcode = r.postcode AND "
              "l.house_number = r.house_number"])
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "sql_dialect": "duckdb",
        "comparisons": [c.settings() for c in comparisons_for(kind)],
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r} for r in rules],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }


def training_rules(kind: str, completeness: dict[str, float]) -> list[str]:
    """EM sessions: one blocked on name, one on date or address, as the data allows."""
    if kind == PERSON:
        rules = ["l.last_core = r.last_core AND l.first_name = r.first_name"]
        if completeness.get("birth_date", 0) > 0.2:
            rules.append("l.birth_date = r.birth_date")
        elif completeness.get("postcode", 0) > 0.2:
            rules.append("l.postcode = r.postcode")
        return rules
    rules = ["l.name_key = r.name_key"]
    if completeness.get("postcode", 0) > 0.2:
        rules.append("l.postcode = r.postcode AND l.house_number = r.house_number")
    elif completeness.get("founded", 0) > 0.2:
        rules.append("l.founded = r.founded")
    return rules


def deterministic_rules(kind: str) -> list[str]:
    if kind == PERSON:
        return ["l.first_name = r.first_name AND l.last_name = r.last_name "
                "AND l.birth_date = r.birth_date"]
    # Equi-joins only: a condition on lists would make DuckDB compare every pair.
    return ["l.name_key = r.name_key AND l.postcode = r.postcode",
            "l.name_key = r.name_key AND l.founded = r.founded"]


def train(connection: Any, table: str, kind: str, rows: int,
          completeness: dict[str, float]) -> dict[str, Any]:
    """Train the model for ``kind`` on the DuckDB ``table``; returns the settings dictionary."""
    from splink import Linker
    from splink.internals.duckdb.database_api import DuckDBAPI

    settings = default_settings(kind)
    if rows < 50:
        settings["trained_on"] = {"records": rows, "trained": False,
                                  "reason": "too few records"}
        return settings
    api = DuckDBAPI(connection)
    frame = api.register(table)
    linker = Linker(frame, base_settings(kind), log_level=logging.CRITICAL)
    # Splink raises plain exceptions when a data set cannot train a step (no pairs under a
    # blocking rule, a level never seen); each step that fails leaves the defaults in place.
    problems = []
    try:
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(kind), recall=0.6)
    except Exception as error:
        problems.append(f"prior: {error}"[:200])
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, rows * 50), seed=7)
    except Exception as error:
        problems.append(f"u: {error}"[:200])
    _start_unseen_levels_from_defaults(linker, kind)
    sessions = 0
    for rule in training_rules(kind, completeness):
        before = linker.misc.save_model_to_json()
        try:
            with _tolerate_vanishing_m(), _hold_unseen_comparisons(linker, connection, table,
                                                                   rule):
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, max_pairs=2e6 if rows > 200_000 else None,
                    record_sample_proportion=min(1.0, 200_000 / rows))
            sessions += 1
        except Exception as error:
            problems.append(f"EM on {rule}: {error}"[:200])
            # A failed session can leave the linker's model half-updated: start again from
            # the model as it was before the session.
            linker = Linker(frame, before, log_level=logging.CRITICAL)
    trained = linker.misc.save_model_to_json()
    _fill_untrained(trained, settings)
    _remove_matches_from_u(trained)
    trained["trained_on"] = {"records": rows, "trained": sessions > 0,
                             "em_sessions": sessions, "problems": problems}
    if problems:
        log.warning("Training the %s model: %s", kind, "; ".join(problems))
    return trained


@contextlib.contextmanager
def _tolerate_vanishing_m() -> Iterator[None]:
    """Let an EM session finish when it drives an m or u towards zero.

    Splink 5 refuses any m or u below 1e-300 the moment it is set, so one level that true
    matches never show (an 'else' level, say) aborts the whole session. During our sessions such
    a value is stored as 1e-300 instead (never 0, which would turn into NaN weights);
    ``_fill_untrained`` then floors every m and u at ``FLOOR``, so no single level vetoes a pair.
    """
    from splink.internals.comparison_level import M_U_CLAMP_MIN, ComparisonLevel

    originals = {name: getattr(ComparisonLevel, name) for name in ("m_probability",
                                                                    "u_probability")}

    def clamped(prop: property) -> property:
        def setter(level: Any, value: Any) -> None:
            if isinstance(value, int | float) and 0 <= value < M_U_CLAMP_MIN:
                value = M_U_CLAMP_MIN
            prop.fset(level, value)
        return property(prop.fget, setter)

    for name, prop in originals.items():
        setattr(ComparisonLevel, name, clamped(prop))
    try:
        yield
    finally:
        for name, prop in originals.items():
            setattr(ComparisonLevel, name, prop)


@contextlib.contextmanager
def _hold_unseen_comparisons(linker: Any, connection: Any, table: str,
                             rule: str) -> Iterator[None]:
    """Keep m fixed for comparisons that no pair under ``rule`` can inform.

    A comparison whose column is never filled on both sides of the session's pairs (the
    founding date, which only the register tells) would get m = 0/0 = NaN from EM.
    """
    held = []
    for comparison in linker._settings_obj.comparisons:
        column = comparison.output_column_name
        informed = connection.execute(
            f'SELECT count(*) FROM (SELECT 1 FROM {table} l JOIN {table} r ON {rule} '  # noqa: S608
            f'AND l.record_id < r.record_id WHERE l."{column}" IS NOT NULL '
            f'AND r."{column}" IS NOT NULL LIMIT 20)').fetchall()[0][0]
        if informed < 20:
            for level in comparison.comparison_levels:
                if not level.is_null_level and not level._fix_m_probability:
                    level._fix_m_probability = True
                    held.append(level)
    try:
        yield
    finally:
        for level in held:
            level._fix_m_probability = False


def _start_unseen_levels_from_defaults(linker: Any, kind: str) -> None:
    """Levels no sampled pair fell in have no u (and no m yet); EM would turn them into NaN
    weights. They start from the default m and u instead."""
    defaults = default_settings_levels(kind)
    for comparison in linker._settings_obj.comparisons:
        levels = defaults.get(comparison.output_column_name, {})
        for level in comparison.comparison_levels:
            if level.is_null_level or level.label_for_charts not in levels:
                continue
            m, u = levels[level.label_for_charts]
            if not isinstance(level._u_probability, int | float):
                level.u_probability = u
            if not isinstance(level._m_probability, int | float):
                level.m_probability = m


FLOOR = 1e-6


def _fill_untrained(trained: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Levels EM could not see (no pairs fell in them) keep the default m and u; levels EM
    drove to (almost) zero are floored at ``FLOOR``."""
    for comparison, fallback in zip(trained["comparisons"], defaults["comparisons"], strict=True):
        for level, default in zip(comparison["comparison_levels"],
                                  fallback["comparison_levels"], strict=True):
            if level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if not isinstance(value, int | float) or not 0 <= value <= 1:
                    level[key] = default[key]
                else:
                    level[key] = max(value, FLOOR)
    prior = trained.get("probability_two_random_records_match")
    if not isinstance(prior, int | float) or not 0 < prior < 1:
        trained["probability_two_random_records_match"] = defaults[
            "probability_two_random_records_match"]


def _remove_matches_from_u(settings: dict[str, Any]) -> None:
    """Correct u for the true matches among the random pairs it was estimated on.

    Random sampling estimates u over *all* pairs; with λ the share of pairs that match,
    u_observed = λ·m + (1 − λ)·u. Where several partners describe the same entity (the
    platform's normal case) λ·m is not negligible next to u for strong agreement levels (an
    exact company name), and leaving it in makes a rare exact name look common. The
    correction is floored at a hundredth of the observed u, so no level gains more than
    6.6 bits from it.
    """
    prior = settings["probability_two_random_records_match"]
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level["m_probability"], level["u_probability"]
            corrected = (u - prior * m) / (1 - prior)
            level["u_probability"] = max(corrected, u / 100)


@dataclass(frozen=True)
class LevelParameters:
    label: str
    m: float
    u: float
    weight: float  # log2(m / u)


def parameters(settings: dict[str, Any]) -> list[tuple[str, list[LevelParameters]]]:
    """Per comparison (its description), the m, u and match weight of each non-null level.

    The description comes from our comparisons: Splink's trained settings replace it with
    "CustomComparison"."""
    described = {c.name: str(c.description) for kind in COMPARISONS.values() for c in kind}
    return [(described.get(comparison["output_column_name"], comparison["output_column_name"]),
             [LevelParameters(level.get("label_for_charts", ""), level["m_probability"],
                              level["u_probability"],
                              math.log2(level["m_probability"] / level["u_probability"]))
              for level in comparison["comparison_levels"] if not level.get("is_null_level")])
            for comparison in settings["comparisons"]]


@dataclass(frozen=True)
class Evidence:
    comparison: str
    description: str
    level: str
    weight: float  # log2 Bayes factor; 0 for a null level


@dataclass(frozen=True)
class Score:
    match_weight: float
    probability: float
    evidence: tuple[Evidence, ...]


class Scorer:
    """Evaluates a trained settings dictionary on one pair of feature rows, in Python."""

    def __init__(self, kind: str, settings: dict[str, Any]) -> None:
        self.comparisons = comparisons_for(kind)
        self.prior = math.log2(settings["probability_two_random_records_match"]
                               / (1 - settings["probability_two_random_records_match"]))
        self.weights: list[list[float]] = []
        for comparison in settings["comparisons"]:
            weights = []
            for level in comparison["comparison_levels"]:
                if level.get("is_null_level"):
                    weights.append(0.0)
                else:
                    weights.append(math.log2(level["m_probability"] / level["u_probability"]))
            self.weights.append(weights)
        if [len(w) for w in self.weights] != [len(c.levels) for c in self.comparisons]:
            raise ValueError("The model does not fit this version's comparisons; retrain it.")

    def score(self, left: dict[str, Any], right: dict[str, Any]) -> Score:
        total = self.prior
        evidence = []
        for comparison, weights in zip(self.comparisons, self.weights, strict=True):
            index = comparison.level_of(left, right)
            total += weights[index]
            evidence.append(Evidence(comparison.name, comparison.description,
                                     comparison.levels[index].label, weights[index]))
        return Score(total, probability(total), tuple(evidence))


def probability(match_weight: float) -> float:
    odds = 2.0 ** max(min(match_weight, 60.0), -60.0)
    return odds / (1 + odds)
