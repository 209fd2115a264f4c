"""Registry benchmark: object page, search and import at a chosen scale, as JSON figures.

    .venv/bin/python bench/registry_bench.py --scale 2000 [--database-url postgres://…]

Builds the demo world at ``--scale`` companies in a fresh database (SQLite under var/bench by
default), then measures, through the real views and services:
- object page server time (Django test client, a signed-in police analyst), p50/p95;
- search time for identifiers in odd spellings and misspelt names, p50/p95;
- import throughput of a plain company CSV (rows/s);
- peak resident memory of the process.
Prints the figures and writes them to bench/results/registry-<vendor>-<scale>.json. The targets
of the registry issue (p95 ≤ 150 ms page, ≤ 100 ms search, ≥ 20,000 rows/s at 1,000,000
objects) are printed beside the measurements; nothing here asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(percentile(values, 0.95), 2), "max_ms": round(max(values), 2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=2000, help="companies in the demo world")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=20000)
    args = parser.parse_args()

    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        db = bench_dir / f"registry-{args.scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("HAVENBEELD_ENV", "development")
    os.environ["HAVENBEELD_TASK_BACKEND"] = "immediate"
    os.environ["HAVENBEELD_VAR_DIR"] = str(bench_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)

    from havenbeeld.core.testing import verified_client
    from havenbeeld.demo import world
    from havenbeeld.registry.models import Piece, Property, RegistryObject

    started = time.perf_counter()
    world.build(seed=7, scale=args.scale)
    build_s = time.perf_counter() - started
    objects, pieces = RegistryObject.objects.count(), Piece.objects.count()
    print(f"built {objects} objects / {pieces} pieces in {build_s:.1f} s "
          f"({objects / build_s:.0f} objects/s)")

    from havenbeeld.accounts.models import User

    analyst = User.objects.get(email="analist@zeehavenpolitie.example")
    client: Client = verified_client(analyst)
    rng = random.Random(7)
    ids = list(RegistryObject.objects.values_list("pk", flat=True))
    page_ms = []
    for pk in rng.sample(ids, min(args.samples, len(ids))):
        t = time.perf_counter()
        response = client.get(f"/objecten/{pk}/")
        page_ms.append((time.perf_counter() - t) * 1000)
        assert response.status_code in (200, 404)

    kvks = list(Piece.objects.filter(property=Property.IDENTIFIER, scheme="kvk")
                .values_list("value_normalised", flat=True)[:5000])
    names = list(Piece.objects.filter(property=Property.NAME, object__kind="company")
                 .values_list("value", flat=True)[:5000])
    queries = []
    for _ in range(args.samples):
        if rng.random() < 0.5 and kvks:
            kvk = rng.choice(kvks)
            queries.append(f"{kvk[:4]} {kvk[4:]}")
        else:
            name = rng.choice(names).split()[0]
            queries.append(name[:-1] if len(name) > 5 else name)
    search_ms = []
    for query in queries:
        t = time.perf_counter()
        client.get("/objecten/", {"q": query})
        search_ms.append((time.perf_counter() - t) * 1000)

    from django.core.files.uploadedfile import SimpleUploadedFile

    from havenbeeld.imports import services as imports
    from havenbeeld.imports.models import ImportJob
    from havenbeeld.sharing.models import LegalBasis

    customs = User.objects.get(email="analist@douane-rotterdam.example")
    mapping = imports.save_mapping(
        actor=customs, name=f"bench-{time.time()}", kind="company",
        columns={"Naam": "name", "KvK": "identifier:kvk", "Plaats": "city"}, key_column="KvK",
        distribution="convenant", legal_basis=LegalBasis.objects.get(code="awr-douane"))
    lines = ["Naam;KvK;Plaats"] + [f"Bench Bedrijf {i} B.V.;{20000000 + i};Rotterdam"
                                   for i in range(args.import_rows)]
    upload = SimpleUploadedFile("bench.csv", ("\n".join(lines) + "\n").encode())
    with tempfile.TemporaryDirectory():
        t = time.perf_counter()
        job = imports.start_import(actor=customs, mapping=mapping, uploaded=upload, chunked=True)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        job = imports.run_import(job.pk)
        import_s = time.perf_counter() - t
    assert job.status == "done", job.message

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "database": connection.vendor,
        "scale_companies": args.scale,
        "objects": objects,
        "pieces": pieces,
        "build_seconds": round(build_s, 1),
        "object_page": summary(page_ms),
        "search": summary(search_ms),
        "import": {"rows": args.import_rows, "seconds": round(import_s, 2),
                   "rows_per_second": round(args.import_rows / import_s)},
        "peak_rss_mb": round(peak_mb),
        "targets_at_1M_objects": {"object_page_p95_ms": 150, "search_p95_ms": 100,
                                  "import_rows_per_second": 20000},
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"registry-{connection.vendor}-{args.scale}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
