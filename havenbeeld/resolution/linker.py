"""Batch linkage: records in, clusters out — Splink on DuckDB with the platform's blocking keys.

``link`` runs, per entity type:

1. features (``features.features``) and blocking keys (``blocking.blocking_keys``) in Python,
   the same code the real-time lookup uses;
2. candidate pairs: records sharing a key, keys held by more than ``MAX_BLOCK`` records skipped,
   joined in DuckDB;
3. the model: the given one, or trained on these records (``model.train``);
4. scores: Splink's ``predict`` over exactly those pairs;
5. clusters: pairs above the link threshold, and pairs sharing a strong identifier, joined
   strongest first — but never joining two groups that hold different values of an identifier
   an entity has only one of (two KvK numbers, two dates of birth told with certainty), so one
   wrong pair cannot chain two real companies together.

Pairs between the review and the link threshold are returned for the review queue.

One rule links below the link threshold (``rare_name``, ``rare_name_groups``): company records
with exactly the same distinctive name, when the records holding that name form groups (the
clusters the other links make; a record on its own is a group) of which no source told two, and
nothing about the records disagrees. A name one entity holds, each partner describing that
entity once, is the common case of partners knowing one company; a name held by two groups of
which one partner told both, or a name of generic words only ("Holding B.V."), leaves the pair
to the review queue. The model alone cannot link such pairs: the prior of a large data set
outweighs one agreeing name, and Splink's term-frequency adjustment counts every partner's copy
of a name, so a name two partners tell looks as common as one two companies hold (measured: it
lowers these pairs' weights).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from havenbeeld.resolution import model as models
from havenbeeld.resolution.blocking import MAX_BLOCK, blocking_keys, distinctive_tokens
from havenbeeld.resolution.features import (
    COMPANY,
    ENTITY_TYPES,
    SINGULAR_SCHEMES,
    usable,
)

log = logging.getLogger(__name__)

# Comparisons whose evidence against the match (a negative weight) keeps a pair out of both the
# links and the review queue: companies at one flex-office address share postcode, house number,
# street and city and are still not the same — many companies at one address is a red flag for
# the analysis, not a question for resolution. (Persons are not guarded: a swapped or mistyped
# name beside the same date of birth, address and number is the common case of a true match.)
NAME_COMPARISONS = {COMPANY: ("name_key",)}

# Comparisons whose agreement (a positive weight) sends a pair to review even below the review
# weight, down to NAME_REVIEW_WEIGHT: the same company name with nothing else to go on is a
# question for a person, not a new entity. (Not for persons: "Jan Jansen" alone is everyone.)
AGREEING_NAMES = {COMPANY: ("name_key",)}
NAME_REVIEW_WEIGHT = -8.0

# Match weights (log2 odds): from 5 (2^5 = 32:1, probability 0.97) a pair links by itself; from
# -2 (1:4) up to there a person decides in the review queue. The link weight was chosen on FEBRL
# 3 and 4, the demo world and 100,000 synthetic records (``bench/resolution_bench.py``): FEBRL and
# the demo stay at precision 1.0 from 3 to 6.64, the synthetic set goes from precision 0.993 /
# recall 0.63 at 6.64 (0.99) to 0.989 / 0.81 at 5 — names and dates of birth agreeing exactly sit
# just below 0.99 when the prior of a large register is small.
LINK_WEIGHT = 5.0
REVIEW_WEIGHT = -2.0

RARE_NAME = "rare_name"
# Not for persons: a full name shared by two records and no third is common in any population
# ("Jan Jansen"; measured: on 20,000 synthetic records, 9 wrong merges of common names).
RARE_NAME_KINDS = frozenset({COMPANY})


def rare_name(left: dict[str, Any], right: dict[str, Any], weights: Iterable[float]) -> bool:
    """Whether two records may link on their name alone (the pair's part of the rare-name
    rule; the other part, about all the records holding the name, is ``rare_name_groups``).

    The same distinctive name exactly, told by two different sources, and nothing against:
    ``weights``, the model's weight of each comparison of the pair, are none negative (no
    other date of birth or founding, address or identifier).
    """
    key = left.get("name_key")
    if left.get("entity_type") not in RARE_NAME_KINDS or not key or key != right.get("name_key"):
        return False
    if not left.get("source") or not right.get("source") or left["source"] == right["source"]:
        return False  # a source describes an entity once: same-source pairs need more
    if not distinctive_tokens(left):
        return False  # only generic words ("Holding", "Trading", numbers)
    return all(weight >= 0 for weight in weights)


def rare_name_groups(groups: Iterable[Iterable[str]]) -> bool:
    """The group part of the rare-name rule: given the sources of the members of each group of
    records holding the name (clusters found so far; a record on its own is a group), whether
    they may be one entity — two groups or more, and no source told a member of two of them."""
    sources = [set(group) for group in groups]
    return len(sources) >= 2 and sum(map(len, sources)) == len(set().union(*sources))


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    match_weight: float
    probability: float
    deterministic: bool = False
    rule: str = ""  # a rule that linked the pair below the link weight (RARE_NAME)


@dataclass
class LinkResult:
    clusters: dict[str, str]  # record id -> cluster id (the smallest record id in the cluster)
    links: list[Pair] = field(default_factory=list)
    review: list[Pair] = field(default_factory=list)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[str, int, int], None]


def link(rows: Iterable[dict[str, Any]], *, trained: dict[str, dict[str, Any]] | None = None,
         link_weight: float = LINK_WEIGHT, review_weight: float = REVIEW_WEIGHT,
         progress: Progress | None = None, memory_limit: str = "6GB",
         cannot_link: Iterable[tuple[str, str]] = (), train_only: bool = False) -> LinkResult:
    """Cluster feature rows (from ``features.features``).

    ``cannot_link``: pairs an analyst said are not the same; no cluster will hold both.
    ``train_only``: only train the models (``result.models``), link nothing.
    """
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ENTITY_TYPES}
    clusters: dict[str, str] = {}
    skipped = 0
    for row in rows:
        if usable(row):
            by_kind[row["entity_type"]].append(row)
        else:
            skipped += 1
        clusters[row["record_id"]] = row["record_id"]
    result = LinkResult(clusters=clusters, stats={"records": len(clusters), "unusable": skipped})
    apart: dict[str, set[str]] = {}
    for a, b in cannot_link:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    with tempfile.TemporaryDirectory(prefix="havenbeeld-link-") as spill:
        for kind, kind_rows in by_kind.items():
            if not kind_rows:
                continue
            connection = duckdb.connect(config={"memory_limit": memory_limit,
                                                "temp_directory": spill})
            try:
                _link_kind(connection, kind, kind_rows, result, (trained or {}).get(kind),
                           link_weight, review_weight, progress, apart, train_only)
            finally:
                connection.close()
    return result


def _link_kind(connection: duckdb.DuckDBPyConnection, kind: str, rows: list[dict[str, Any]],
               result: LinkResult, settings: dict[str, Any] | None, link_weight: float,
               review_weight: float, progress: Progress | None,
               apart: dict[str, set[str]], train_only: bool) -> None:
    table = f"records_{kind}"
    arrow = pa.Table.from_pylist(rows, schema=models.SCHEMA)
    connection.register("arrow_input", arrow)
    connection.execute(f"CREATE TABLE {table} AS SELECT * FROM arrow_input")  # noqa: S608
    connection.unregister("arrow_input")
    del arrow
    if progress:
        progress(kind, 1, 5)

    key_ids: list[str] = []
    key_values: list[str] = []
    for row in rows:
        for key in blocking_keys(row):
            key_ids.append(row["record_id"])
            key_values.append(key)
    keys = pa.table({"record_id": key_ids, "key": key_values})
    del key_ids, key_values
    connection.register("arrow_keys", keys)
    connection.execute(f"""
        CREATE TABLE pairs AS
        WITH counted AS (
            SELECT record_id, key, count(*) OVER (PARTITION BY key) AS n FROM arrow_keys),
        kept AS (SELECT record_id, key FROM counted WHERE n BETWEEN 2 AND {MAX_BLOCK})
        SELECT DISTINCT a.record_id AS join_key_l, b.record_id AS join_key_r
        FROM kept a JOIN kept b ON a.key = b.key AND a.record_id < b.record_id
    """)  # noqa: S608
    connection.unregister("arrow_keys")
    del keys
    pair_count = connection.execute("SELECT count(*) FROM pairs").fetchall()[0][0]
    if progress:
        progress(kind, 2, 5)

    if settings is None:
        completeness = _completeness(connection, table, len(rows))
        settings = models.train(connection, table, kind, len(rows), completeness)
    result.models[kind] = settings
    if progress:
        progress(kind, 3, 5)
    if train_only:
        return

    scored = _predict(connection, table, kind, settings, review_weight) if pair_count else []
    strong = _strong_pairs(connection, table) if pair_count else set()
    if progress:
        progress(kind, 4, 5)

    conflicts = _conflict_values(rows)
    review_before = len(result.review)
    edges: list[Pair] = []
    seen: set[tuple[str, str]] = set()
    for left, right, weight, prob, names_differ, _names_agree in scored:
        deterministic = (left, right) in strong
        pair = Pair(left, right, weight, prob, deterministic)
        seen.add((left, right))
        if deterministic:
            edges.append(pair)
        elif names_differ:
            continue  # companies at one address under other names: not a question of identity
        elif weight >= link_weight:
            edges.append(pair)
        else:
            result.review.append(pair)  # the query returned only pairs worth a review
    for left, right in strong - seen:
        edges.append(Pair(left, right, 60.0, 1.0, True))
    rare: dict[tuple[str, str], Pair] = {}

    def rare_names(group_of: Callable[[str], str]) -> list[Pair]:
        linked = {(p.left, p.right) for p in edges}
        rare.update(_rare_name_pairs(rows, kind, settings, group_of, linked))
        return list(rare.values())

    joined, refused = _cluster(edges, conflicts, result.clusters, apart, then=rare_names)
    result.review = [p for p in result.review if (p.left, p.right) not in rare]
    result.links.extend(joined)
    result.review.extend(p for p in refused if p.match_weight < 60 and not _apart(p, apart))
    result.stats[kind] = {"records": len(rows), "candidate_pairs": pair_count,
                          "links": len(joined), "review": len(result.review) - review_before,
                          "trained": settings.get("trained_on", {})}
    if progress:
        progress(kind, 5, 5)


def _rare_name_pairs(rows: list[dict[str, Any]], kind: str, settings: dict[str, Any],
                     group_of: Callable[[str], str], linked: set[tuple[str, str]]
                     ) -> dict[tuple[str, str], Pair]:
    """Pairs that link on a rare name, given the clusters the other links form (``group_of``:
    record id -> cluster).

    Scored by the Python scorer: they are few (names held by a few groups of records), and the
    scorer is the one intake uses, so both paths decide alike.
    """
    holders: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("name_key"):
            holders.setdefault(row["name_key"], []).append(row)
    sources: dict[str, set[str]] = {}
    for row in rows:
        sources.setdefault(group_of(row["record_id"]), set()).add(row.get("source") or "")
    scorer = models.Scorer(kind, settings)
    found: dict[tuple[str, str], Pair] = {}
    for named in holders.values():
        if not 2 <= len(named) <= MAX_BLOCK:
            continue
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in named:
            groups.setdefault(group_of(row["record_id"]), []).append(row)
        if not rare_name_groups(sources[group] for group in groups):
            continue
        members = list(groups.values())
        pairs = []
        for a, b in ((a, b) for i, group in enumerate(members) for other in members[i + 1:]
                     for a in group for b in other):
            left, right = (a, b) if a["record_id"] < b["record_id"] else (b, a)
            if not rare_name(left, right, ()):
                break  # cheap checks first; the scorer only for pairs that pass them
            score = scorer.score(left, right)
            if not rare_name(left, right, (e.weight for e in score.evidence)):
                break  # one pair of holders with something against: none links on the name
            pairs.append(Pair(left["record_id"], right["record_id"], score.match_weight,
                              score.probability, rule=RARE_NAME))
        else:
            found.update(((p.left, p.right), p) for p in pairs
                         if (p.left, p.right) not in linked)
    return found


def _completeness(connection: duckdb.DuckDBPyConnection, table: str,
                  total: int) -> dict[str, float]:
    columns = ("birth_date", "founded", "postcode", "first_name", "name_key")
    counts = connection.execute(
        "SELECT " + ", ".join(f"count({c})" for c in columns) + f" FROM {table}"  # noqa: S608
    ).fetchall()[0]
    return {c: n / max(total, 1) for c, n in zip(columns, counts, strict=True)}


def _predict(connection: duckdb.DuckDBPyConnection, table: str, kind: str,
             settings: dict[str, Any], review_weight: float
             ) -> list[tuple[str, str, float, float, bool, bool]]:
    from splink import Linker
    from splink.internals.duckdb.database_api import DuckDBAPI

    api = DuckDBAPI(connection)
    frame = api.register(table)
    clean = {k: v for k, v in settings.items() if k != "trained_on"}
    clean["retain_intermediate_calculation_columns"] = True  # the per-comparison weights
    linker = Linker(frame, clean, log_level=logging.CRITICAL)
    connection.execute("CREATE TABLE blocked AS SELECT '0' AS match_key, join_key_l, "
                       "join_key_r FROM pairs")
    linker.table_management.register_blocked_pairs_for_predict(api.register("blocked"))
    predictions = linker.inference.predict(
        threshold_match_weight=min(review_weight, NAME_REVIEW_WEIGHT))
    guard = " AND ".join(f"mw_{c} < 0" for c in NAME_COMPARISONS.get(kind, ())) or "false"
    agree = " AND ".join(f"mw_{c} > 0" for c in AGREEING_NAMES.get(kind, ())) or "false"
    rows = connection.execute(
        f"SELECT record_id_l, record_id_r, match_weight, match_probability, {guard}, "  # noqa: S608
        f"{agree} FROM {predictions.physical_name} "
        f"WHERE match_weight >= {review_weight} OR ({agree}) "
        f"ORDER BY match_weight DESC").fetchall()
    return [(str(min(a, b)), str(max(a, b)), float(w), float(p), bool(differ), bool(same))
            for a, b, w, p, differ, same in rows]


def _strong_pairs(connection: duckdb.DuckDBPyConnection, table: str) -> set[tuple[str, str]]:
    """Candidate pairs sharing a strong identifier and differing in no singular one."""
    rows = connection.execute(f"""
        SELECT p.join_key_l, p.join_key_r, l.strong_ids, r.strong_ids
        FROM pairs p JOIN {table} l ON l.record_id = p.join_key_l
        JOIN {table} r ON r.record_id = p.join_key_r
        WHERE len(list_intersect(l.strong_ids, r.strong_ids)) > 0
    """).fetchall()  # noqa: S608
    strong = set()
    for left, right, left_ids, right_ids in rows:
        if not differ_in_singular(left_ids, right_ids):
            strong.add((left, right))
    return strong


def differ_in_singular(left: Iterable[str], right: Iterable[str]) -> bool:
    """Whether two lists of ``scheme:value`` hold different values of a singular scheme."""
    values: dict[str, str] = {}
    for token in left:
        scheme, _sep, value = token.partition(":")
        if scheme in SINGULAR_SCHEMES:
            values[scheme] = value
    for token in right:
        scheme, _sep, value = token.partition(":")
        if scheme in SINGULAR_SCHEMES and values.get(scheme, value) != value:
            return True
    return False


def _conflict_values(rows: list[dict[str, Any]]) -> dict[str, dict[str, frozenset[str]]]:
    """Per record, the singular identifiers it holds (scheme -> values)."""
    found: dict[str, dict[str, frozenset[str]]] = {}
    for row in rows:
        held: dict[str, set[str]] = {}
        for token in row.get("strong_ids") or ():
            scheme, _sep, value = token.partition(":")
            if scheme in SINGULAR_SCHEMES:
                held.setdefault(scheme, set()).add(value)
        if held:
            found[row["record_id"]] = {k: frozenset(v) for k, v in held.items()}
    return found


def _apart(pair: Pair, apart: dict[str, set[str]]) -> bool:
    return pair.right in apart.get(pair.left, ())


def _cluster(edges: list[Pair], conflicts: dict[str, dict[str, frozenset[str]]],
             clusters: dict[str, str], apart: dict[str, set[str]],
             then: Callable[[Callable[[str], str]], list[Pair]] | None = None
             ) -> tuple[list[Pair], list[Pair]]:
    """Union-find over the edges, strongest first, refusing joins that would conflict.

    A join is refused when the two groups hold different values of a singular identifier, or
    when an analyst said a member of one is not the same as a member of the other. ``then``:
    given the groups the edges form (record id -> group), further edges to join after them.
    """
    parent: dict[str, str] = {}
    held: dict[str, dict[str, frozenset[str]]] = {}
    members: dict[str, set[str]] = {}
    refused: list[Pair] = []
    joined: list[Pair] = []

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(edges: list[Pair]) -> None:
        for edge in sorted(edges, key=lambda e: (not e.deterministic, -e.match_weight)):
            a, b = find(edge.left), find(edge.right)
            if a == b:
                joined.append(edge)
                continue
            ha = held[a] if a in held else conflicts.get(a, {})
            hb = held[b] if b in held else conflicts.get(b, {})
            ma, mb = members.get(a, {a}), members.get(b, {b})
            if any(ha[s] != hb[s] for s in ha.keys() & hb.keys()) or (
                    apart and any(apart.get(x, set()) & mb for x in ma)):
                refused.append(edge)
                continue
            root, child = (a, b) if a < b else (b, a)
            parent[child] = root
            members[root] = ma | mb
            members.pop(child, None)
            merged = dict(ha)
            for scheme, values in hb.items():
                merged[scheme] = merged.get(scheme, frozenset()) | values
            held[root] = merged
            held.pop(child, None)
            joined.append(edge)

    join(edges)
    if then is not None:
        join(then(lambda x: find(x) if x in parent else x))
    for record_id in list(clusters):
        if record_id in parent:
            clusters[record_id] = find(record_id)
    return joined, refused


def train(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Train a model per entity type on the rows; nothing is linked."""
    return link(rows, train_only=True).models
