"""Resolution benchmark: batch linkage beside a Splink baseline, and real-time candidate lookup.

    .venv/bin/python bench/resolution_bench.py batch --records 100000 [--no-baseline]
    .venv/bin/python bench/resolution_bench.py lookup --objects 100000 [--database-url postgres://…]

``batch``: synthetic records (``resolution.synthetic``: Dutch companies and persons told by up to
four sources, with planted truth) clustered by the platform's linker and by a plain Splink
model, each in its own process so that each peak memory is its own. Reports seconds,
records/s, peak RSS, pairwise precision/recall/F1 and the time ratio to the baseline.

``lookup``: a registry of ``--objects`` profiles with their blocking keys (SQLite under var/bench,
or the given database), then ``--samples`` lookups of another source's record of an entity
already in it, through ``resolution.services.lookup_row`` — the intake path. Reports p50/p95.

Figures are printed and written to bench/results/resolution-<part>-<vendor>-<n>.json. The
targets of the resolution issue (lookup p95 ≤ 30 ms and batch ≤ 10 minutes with ≤ 8 GiB at
1,000,000) are printed beside them; nothing here asserts them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def _django(database_url: str = "") -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("HAVENBEELD_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
    import django

    django.setup()


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _run_linker(records: int, which: str, queue: multiprocessing.Queue) -> None:
    _django()
    from havenbeeld.resolution import baseline, evaluation, synthetic
    from havenbeeld.resolution.features import features
    from havenbeeld.resolution.linker import link

    generated = list(synthetic.generate(records))
    truth = {r.record_id: key for r, key in generated}
    plain = [r for r, _key in generated]
    del generated
    start = time.perf_counter()
    if which == "havenbeeld":
        result = link(features(r) for r in plain)
        clusters, stats = result.clusters, result.stats
    else:
        clusters, stats = baseline.cluster(plain), {}
    seconds = time.perf_counter() - start
    scores = evaluation.pairwise(clusters, truth, seconds)
    queue.put({"seconds": round(seconds, 1), "records_per_s": round(records / seconds),
               "peak_rss_mb": _peak_mb(), **scores.as_dict(), "stats": stats})


def batch(args: argparse.Namespace) -> dict:
    context = multiprocessing.get_context("spawn")
    result: dict = {"part": "batch", "records": args.records,
                    "targets": {"seconds_at_1M": 600, "peak_rss_mb_at_1M": 8192}}
    for which in ("havenbeeld", *(() if args.no_baseline else ("splink_baseline",))):
        queue = context.Queue()
        process = context.Process(target=_run_linker, args=(args.records, which, queue))
        process.start()
        result[which] = queue.get()
        process.join()
        print(which, {k: v for k, v in result[which].items() if k != "stats"}, flush=True)
    if "splink_baseline" in result:
        result["time_ratio_to_baseline"] = round(
            result["havenbeeld"]["seconds"] / result["splink_baseline"]["seconds"], 2)
    return result


def _fill_registry(objects: int, insert: bool = True) -> list:
    """Objects with profiles and keys, inserted in bulk; returns held-back lookup records.
    With ``insert=False`` only the held-back records (of an earlier fill) are returned."""
    from django.db import connection, transaction

    from havenbeeld.registry.models import RegistryObject
    from havenbeeld.resolution import synthetic
    from havenbeeld.resolution.blocking import blocking_keys
    from havenbeeld.resolution.features import features

    held_back, seen_entities = [], set()
    start = RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    object_rows, profile_rows, key_rows = [], [], []
    now = "2026-11-28 00:00:00"
    object_id = start

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("INSERT INTO registry_object (id, kind, created_at) "
                               "VALUES (%s, %s, %s)", object_rows)
            cursor.executemany("INSERT INTO resolution_profile (object_id, kind, features, "
                               "updated_at) VALUES (%s, %s, %s, %s)", profile_rows)
            cursor.executemany("INSERT INTO resolution_blocking_key (object_id, key) "
                               "VALUES (%s, %s)", key_rows)
        object_rows.clear()
        profile_rows.clear()
        key_rows.clear()

    for record, entity in synthetic.generate(objects + objects // 50, seed=2):
        row = features(record)
        if entity in seen_entities and len(held_back) < objects // 50:
            held_back.append(row)  # another source's record of an entity already stored
            continue
        seen_entities.add(entity)
        object_id += 1
        object_rows.append((object_id, row["entity_type"], now))
        profile_rows.append((object_id, row["entity_type"], json.dumps(row), now))
        key_rows += [(object_id, key[:190]) for key in sorted(blocking_keys(row))]
        if not insert:
            object_rows.clear()
            profile_rows.clear()
            key_rows.clear()
        elif len(object_rows) >= 20_000:
            flush()
    if object_rows:
        flush()
    return held_back


def lookup(args: argparse.Namespace) -> dict:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    if not args.database_url:
        db = bench_dir / f"resolution-{args.objects}.sqlite3"
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        args.database_url = f"sqlite:///{db}"
    _django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from havenbeeld.resolution import services
    from havenbeeld.resolution.models import Profile

    call_command("migrate", verbosity=0)
    reuse = args.reuse and Profile.objects.count() == args.objects
    if "postgres" in args.database_url and not reuse:
        call_command("flush", interactive=False, verbosity=0)
    start = time.perf_counter()
    held_back = _fill_registry(args.objects, insert=not reuse)
    fill_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    samples = held_back[:args.samples]
    for row in samples[:20]:  # warm the caches and the model
        services.lookup_row(row)
    timings, found = [], 0
    for row in samples:
        begin = time.perf_counter()
        candidates = services.lookup_row(row)
        timings.append((time.perf_counter() - begin) * 1000)
        found += bool(candidates)
    ordered = sorted(timings)
    return {"part": "lookup", "database": connection.vendor, "objects": args.objects,
            "fill_seconds": None if reuse else round(fill_seconds, 1), "samples": len(timings),
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
            "max_ms": round(max(timings), 2), "with_candidates": found,
            "peak_rss_mb": _peak_mb(), "targets": {"p95_ms_at_1M": 30}}


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="part", required=True)
    batch_parser = sub.add_parser("batch")
    batch_parser.add_argument("--records", type=int, default=100_000)
    batch_parser.add_argument("--no-baseline", action="store_true")
    lookup_parser = sub.add_parser("lookup")
    lookup_parser.add_argument("--objects", type=int, default=100_000)
    lookup_parser.add_argument("--samples", type=int, default=300)
    lookup_parser.add_argument("--database-url", default="")
    lookup_parser.add_argument("--reuse", action="store_true",
                               help="Keep a registry filled by an earlier run of the same size.")
    args = parser.parse_args()
    result = batch(args) if args.part == "batch" else lookup(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    size = args.records if args.part == "batch" else args.objects
    vendor = result.get("database", "duckdb")
    out = RESULTS / f"resolution-{args.part}-{vendor}-{size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: ({m: n for m, n in v.items() if m != "stats"}
                          if isinstance(v, dict) else v) for k, v in result.items()}, indent=2))
    print(f"-> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
