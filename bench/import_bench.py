"""Import benchmark: a plain company CSV into a registry of a chosen size, on its own database.

    .venv/bin/python bench/import_bench.py --objects 1000000 --pieces 10000000 \
        [--database-url postgres://postgres@127.0.0.1:5432/havenbeeld_import_bench] [--reuse] \
        [--import-rows 20000] [--repeat 1] [--profile] [--without-resolution]

Fills a database of its own through ``bench/registry_fill.py`` (SQLite
var/bench/import-<objects>.sqlite3 by default, or the PostgreSQL database named, dropped and
created afresh; never ``havenbeeld_bench`` or ``havenbeeld_registry_bench``, which other
benchmarks use), unless ``--reuse`` finds the fill of an earlier run of the same size. Then it
imports a plain company CSV of ``--import-rows`` rows exactly as ``registry_bench.py`` does
(``registry_bench.measure_import_parts``: chunked, as a Customs analyst, resolution of the new
objects included because the task backend runs tasks immediately), and reports rows/s for the
whole and for its parts: the import itself (upload, read, check, write) and the resolution
intake the finished import queues (``--without-resolution``: not run, for the import alone;
repeated imports of the same names make each resolution slower). ``--write-path orm``
measures the model path of earlier versions (``build_pieces``/``save_pieces`` per row) for
comparison.
``--repeat`` imports the file that many times (each run with a mapping of its own, as
``measure_import`` makes one, so each run adds its rows again). What the imports add is deleted
afterwards, so a reused fill keeps its size. ``--profile`` writes a cProfile of the first import
to var/bench/import-<vendor>.prof and prints its top functions.

Figures go to bench/results/import-<vendor>-<objects>.json, with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FORBIDDEN_DATABASES = ("havenbeeld_bench", "havenbeeld_registry_bench", "havenbeeld",
                       "postgres", "template0", "template1")


def _fill(args: argparse.Namespace, url: str, vendor: str) -> tuple[dict, bool]:
    from registry_bench import ensure_fill

    marker = ROOT / "var" / "bench" / f"import-fill-{vendor}-{args.objects}.json"
    return ensure_fill(args, url, vendor, marker, args.pieces or args.objects * 10,
                       forbidden=FORBIDDEN_DATABASES)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, required=True)
    parser.add_argument("--pieces", type=int, default=0, help="pieces of the fill (≈10×)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="fill processes")
    parser.add_argument("--import-rows", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--write-path", choices=("bulk", "orm"), default="bulk")
    parser.add_argument("--without-resolution", action="store_true",
                        help="the import alone: the resolution task it queues is not run")
    args = parser.parse_args()

    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{bench_dir / f'import-{args.objects}.sqlite3'}"
    vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
    fill, reused = _fill(args, url, vendor)

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HAVENBEELD_ENV", "development")
    os.environ["HAVENBEELD_DEBUG"] = "false"
    os.environ["HAVENBEELD_TASK_BACKEND"] = "immediate"
    os.environ["HAVENBEELD_VAR_DIR"] = str(bench_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from registry_bench import TARGETS, _git, measure_import_parts
    from signals_bench import _server_cpu_seconds

    from havenbeeld.imports import services as imports
    from havenbeeld.registry.models import Piece, RegistryObject

    call_command("migrate", verbosity=0)
    before = RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert before == fill["objects"], "the fill is not what the marker says"

    imports.WRITE_PATH = args.write_path
    if args.without_resolution:
        imports._resolve_afterwards = lambda job: None
    result: dict = {"database": connection.vendor, "objects": before,
                    "without_resolution": args.without_resolution,
                    "pieces": fill["pieces"], "reused_fill": reused,
                    "rows": args.import_rows, "write_path": args.write_path,
                    "target_rows_per_second":
                    TARGETS["import_rows_per_second"],
                    "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]},
                    "code": {"head": _git("rev-parse", "--short", "HEAD").strip(),
                             "changed_files": _git("status", "--short").splitlines()[:40]},
                    "runs": []}
    try:
        for run in range(args.repeat):
            profiler = None
            if args.profile and run == 0:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            cpu, server = time.process_time(), _server_cpu_seconds()
            parts = measure_import_parts(args.import_rows)
            cpu, server_after = time.process_time() - cpu, _server_cpu_seconds()
            seconds = parts["seconds"]
            if profiler is not None:
                profiler.disable()
                out = bench_dir / f"import-{vendor}.prof"
                profiler.dump_stats(str(out))
                import pstats

                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            added = Piece.objects.filter(object_id__gt=before).count()
            figures = {"seconds": round(seconds, 2),
                       "rows_per_second": round(args.import_rows / seconds),
                       "import_seconds": round(parts["import_seconds"], 2),
                       "import_rows_per_second": round(args.import_rows
                                                       / parts["import_seconds"]),
                       "upload_seconds": round(parts["upload_seconds"], 2),
                       "job_seconds": round(parts["job_seconds"], 2),
                       "resolution_seconds": round(parts["resolution_seconds"], 2),
                       "pieces_after": added, "load": os.getloadavg()[0],
                       # CPU of this process (every thread) and of a PostgreSQL server on
                       # this machine: on two cores the two together bound the rate.
                       "client_cpu_seconds": round(cpu, 2),
                       "server_cpu_seconds": (round(server_after - server, 2)
                                              if server is not None and server_after is not None
                                              else None)}
            result["runs"].append(figures)
            print(f"run {run + 1}: {json.dumps(figures)}", flush=True)
    finally:
        t = time.perf_counter()
        # In ranges: the ORM deletes an object's pieces and tokens by listing their ids, and
        # PostgreSQL takes at most 65,535 parameters in a statement.
        top = RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for low in range(before, top, 5000):
            RegistryObject.objects.filter(pk__gt=low, pk__lte=low + 5000).delete()
        result["cleanup_seconds"] = round(time.perf_counter() - t, 1)
    result["import"] = result["runs"][0]
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["machine"]["load_after"] = os.getloadavg()[0]
    out_dir = ROOT / "bench" / "results"
    suffix = "" if args.write_path == "bulk" else f"-{args.write_path}"
    out = out_dir / f"import-{vendor}-{args.objects}{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
