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

At the issue's scale, with a registry filled directly through SQL (``bench/registry_fill.py``):

    .venv/bin/python bench/registry_bench.py --objects 1000000 --pieces 10000000 \
        [--database-url postgres://postgres@127.0.0.1:5432/havenbeeld_registry_bench] [--reuse]

fills a database of its own (SQLite var/bench/registry-<objects>.sqlite3, or the PostgreSQL
database named, dropped and created afresh — never ``havenbeeld_bench``) in a separate process,
unless ``--reuse`` finds the fill of an earlier run of the same size. Then, with DEBUG off:
- object page (GET /objecten/<id>/, a stated purpose for persons, stated before the timing) as a
  police analyst and as a terminal contributor, over ``--samples`` random objects each sees;
  also the network JSON the page loads;
- search (GET /objecten/?q=…) over ``--samples`` queries: misspelt company names, KvK numbers
  with a space, word prefixes, person names, single words, other identifiers, per viewer;
- import of a plain company CSV of ``--import-rows`` rows (as above; what it adds is deleted
  afterwards, so a reused fill keeps its size);
- the queries of the slowest object page and search request, with their plans (EXPLAIN QUERY
  PLAN / EXPLAIN ANALYZE);
- peak RSS of the measuring process (and of the fill process).
Written to bench/results/registry-<vendor>-<objects>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
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


def measure_import(rows: int) -> float:
    """Seconds to import a plain company CSV of ``rows`` rows as a Customs analyst, chunked,
    through the import service (resolution of the new objects included, as the task runs)."""
    return measure_import_parts(rows)["seconds"]


def measure_import_parts(rows: int) -> dict:
    """``measure_import`` with its parts: ``seconds`` in all; ``import_seconds`` for the
    upload (stored and counted) and the import job itself (read, check, write, from the job's
    start to its end as it records them); ``resolution_seconds`` for the rest, the matching of
    the new objects that the job queues when it is done (run at once here, in production a
    background task of its own)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from havenbeeld.accounts.models import User
    from havenbeeld.imports import services as imports
    from havenbeeld.imports.models import ImportJob
    from havenbeeld.sharing.models import LegalBasis

    customs = User.objects.get(email="analist@douane-rotterdam.example")
    mapping = imports.save_mapping(
        actor=customs, name=f"bench-{time.time()}", kind="company",
        columns={"Naam": "name", "KvK": "identifier:kvk", "Plaats": "city"}, key_column="KvK",
        distribution="convenant", legal_basis=LegalBasis.objects.get(code="awr-douane"))
    lines = ["Naam;KvK;Plaats"] + [f"Bench Bedrijf {i} B.V.;{20000000 + i};Rotterdam"
                                   for i in range(rows)]
    upload = SimpleUploadedFile("bench.csv", ("\n".join(lines) + "\n").encode())
    with tempfile.TemporaryDirectory():
        t = time.perf_counter()
        job = imports.start_import(actor=customs, mapping=mapping, uploaded=upload, chunked=True)
        upload_s = time.perf_counter() - t
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        job = imports.run_import(job.pk)
        import_s = time.perf_counter() - t
    assert job.status == "done", job.message
    job_s = (job.finished_at - job.started_at).total_seconds()
    return {"seconds": import_s, "import_seconds": upload_s + job_s,
            "upload_seconds": upload_s, "job_seconds": job_s,
            "resolution_seconds": max(0.0, import_s - upload_s - job_s)}


# --- At the scale: a fill through SQL ----------------------------------------------------

TARGETS = {"object_page_p95_ms": 150, "search_p95_ms": 100, "import_rows_per_second": 20000}
VIEWERS = {"police_analyst": "analist@zeehavenpolitie.example",
           "terminal_contributor": "meldkamer@kaaiwacht-terminal.example"}
FORBIDDEN_DATABASE = "havenbeeld_bench"  # another benchmark's


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,  # noqa: S603, S607
                          text=True).stdout


def _postgres_reset(url: str, forbidden: tuple[str, ...] = ()) -> None:
    """Drop and create the bench database (connected to the maintenance database)."""
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    name = settings["NAME"]
    if name in (FORBIDDEN_DATABASE, "postgres", "template0", "template1", *forbidden):
        raise SystemExit(f"Refusing to drop the database {name!r}; name another one.")
    with psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None,
                         user=settings["USER"] or None, password=settings["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def ensure_fill(args: argparse.Namespace, url: str, vendor: str, marker: Path, pieces: int,
                forbidden: tuple[str, ...] = ()) -> tuple[dict, bool]:
    """The fill of ``args.objects`` objects / ``pieces`` pieces at ``url`` (``registry_fill.py``
    in a process of its own), or — ``args.reuse`` and the marker says so — the earlier one.
    Returns (the fill's figures, reused)."""
    fill = json.loads(marker.read_text()) if marker.exists() else {}
    reuse = (args.reuse and fill.get("database_url") == url
             and fill.get("objects") == args.objects and fill.get("requested_pieces") == pieces)
    if vendor == "sqlite" and not Path(url.removeprefix("sqlite:///")).exists():
        reuse = False
    if reuse:
        print(f"reusing the fill of {marker.relative_to(ROOT)}", flush=True)
        return fill, True
    marker.unlink(missing_ok=True)
    if vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
    else:
        _postgres_reset(url, forbidden)
    print(f"filling {args.objects:,} objects / {pieces:,} pieces into {url}", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "registry_fill.py"),  # noqa: S603
                    "--objects", str(args.objects), "--pieces", str(pieces),
                    "--database-url", url, "--workers", str(args.workers),
                    "--marker", str(marker)], check=True)
    fill = json.loads(marker.read_text())
    fill["requested_pieces"] = pieces
    fill["fill_wall_seconds"] = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps(fill, indent=2) + "\n", encoding="utf-8")
    return fill, False


def _sample_visible(user, total: int, wanted: int, rng: random.Random) -> list[tuple[int, str]]:
    """(id, kind) of random objects the user sees something of (404s would time nothing)."""
    from havenbeeld.registry.models import RegistryObject
    from havenbeeld.registry.selectors import pieces_visible_to

    picked: list[tuple[int, str]] = []
    tried: set[int] = set()
    while len(picked) < wanted and len(tried) < total:
        pk = rng.randint(1, total)
        if pk in tried:
            continue
        tried.add(pk)
        if pieces_visible_to(user).filter(object_id=pk).exists():
            picked.append((pk, RegistryObject.objects.get(pk=pk).kind))
    return picked


def _search_queries(total: int, wanted: int, rng: random.Random
                    ) -> list[tuple[str, str, int]]:
    """(kind of query, query, the object it was made from) — misspelt company names, KvK with a
    space, prefixes of two words, person names, one word, other identifiers (container,
    address), from random objects of the fill."""
    from havenbeeld.demo.registry_world import Variants
    from havenbeeld.registry.models import Piece

    variants = Variants(rng)
    pool: dict[str, list[tuple[str, int]]] = {"company": [], "kvk": [], "person": [],
                                              "other": []}
    while min(len(v) for v in pool.values()) < wanted:
        ids = [rng.randint(1, total) for _ in range(2000)]
        rows = Piece.objects.filter(object_id__in=ids, property__in=("name", "identifier"))
        for prop, scheme, value, kind, pk in rows.order_by("id").values_list(
                "property", "scheme", "value", "object__kind", "object_id"):
            if prop == "name" and kind == "company":
                pool["company"].append((value, pk))
            elif prop == "name" and kind == "person":
                pool["person"].append((value, pk))
            elif scheme == "kvk":
                pool["kvk"].append((value, pk))
            elif scheme in ("container", "address"):
                pool["other"].append((value, pk))
    kinds = ("misspelt_name", "kvk_with_space", "two_word_prefix", "person_name", "one_word",
             "other_identifier")
    queries = []
    for _ in range(wanted):
        kind = rng.choices(kinds, (25, 20, 20, 15, 10, 10))[0]
        source = {"kvk_with_space": "kvk", "person_name": "person",
                  "other_identifier": "other"}.get(kind, "company")
        value, pk = rng.choice(pool[source])
        if kind == "misspelt_name":
            words = value.split()
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = variants.typo(words[longest])
            query = " ".join(words)
        elif kind == "kvk_with_space":
            query = f"{value[:4]} {value[4:]}"
        elif kind == "two_word_prefix":
            words = [w for w in value.split() if len(w) > 3][:2] or value.split()[:1]
            query = " ".join(w[:4] for w in words)
        elif kind == "one_word":
            query = rng.choice(value.split())[:6]
        else:
            query = value
        queries.append((kind, query, pk))
    return queries


def _explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def _rerun_ms(sql: str) -> float:
    """A query run again on its own, rows fetched (SQLite computes rows while they are
    fetched, so the time of ``execute`` alone says little there)."""
    from django.db import connection

    with connection.cursor() as cursor:
        t = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        return (time.perf_counter() - t) * 1000


def _python_profile(client, url: str, params: dict | None, top: int = 18) -> list[str]:
    """Where the request's time goes in Python (cProfile, cumulative, the platform's own
    functions and the libraries it leans on)."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url, params or {})
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"havenbeeld|rapidfuzz|fingerprints|db/models/query\.py|"
                      r"db/backends/utils\.py|template/base\.py|models/base\.py", top)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return [line.replace(str(ROOT) + "/", "") for line in lines[start:] if line.strip()]


def _profile(client, url: str, params: dict | None = None, top: int = 4) -> dict:
    """The queries of one request, each run again alone to time it with its rows, the
    slowest with their plans; and a Python profile of the same request."""
    import re

    from django.db import connection

    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params_, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params_, many, context)
        finally:
            ms = (time.perf_counter() - t) * 1000
            text = sql if many else connection.ops.last_executed_query(
                context["cursor"], sql, params_)
            queries.append((ms, text))

    with connection.execute_wrapper(timed):
        t = time.perf_counter()
        client.get(url, params or {})
        total_ms = (time.perf_counter() - t) * 1000
    rerun = [(_rerun_ms(sql) if sql.lstrip().upper().startswith("SELECT") else ms, sql)
             for ms, sql in queries]
    shapes: dict[str, list[float]] = {}
    for ms, sql in rerun:
        shape = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
        shapes.setdefault(shape, []).append(ms)
    slowest = sorted(rerun, key=lambda q: -q[0])[:top]
    return {
        "url": url + (f"?{params}" if params else ""),
        "request_ms": round(total_ms, 1),
        "queries": len(queries),
        "sql_ms_rerun": round(sum(ms for ms, _sql in rerun), 1),
        "slowest": [{"ms_rerun": round(ms, 2), "sql": sql[:4000],
                     "plan": _explain(sql) if sql.lstrip().upper().startswith("SELECT") else []}
                    for ms, sql in slowest],
        "repeated_shapes": sorted(
            ({"count": len(v), "ms": round(sum(v), 1), "shape": k[:300]}
             for k, v in shapes.items() if len(v) > 1), key=lambda r: -r["ms"])[:5],
        "python_profile": _python_profile(client, url, params),
    }


def at_scale(args: argparse.Namespace) -> int:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    pieces = args.pieces or args.objects * 10
    url = args.database_url or f"sqlite:///{bench_dir / f'registry-{args.objects}.sqlite3'}"
    vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
    marker = bench_dir / f"registry-fill-{vendor}-{args.objects}.json"
    fill, reuse = ensure_fill(args, url, vendor, marker, pieces)

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HAVENBEELD_ENV", "development")
    os.environ["HAVENBEELD_DEBUG"] = "false"  # as served: no query log
    os.environ["HAVENBEELD_TASK_BACKEND"] = "immediate"
    os.environ["HAVENBEELD_VAR_DIR"] = str(bench_dir)
    # Every object page asks hit/no-hit; the hourly limit is not what is measured here.
    os.environ["HAVENBEELD_HIT_QUERIES_PER_HOUR"] = "100000000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from havenbeeld.accounts.models import User
    from havenbeeld.core.testing import verified_client
    from havenbeeld.registry.models import Piece, RegistryObject

    setup_test_environment()
    call_command("migrate", verbosity=0)
    objects = RegistryObject.objects.count()
    total = RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert objects == fill["objects"] == total, "the fill is not what the marker says"
    rng = random.Random(7)
    result: dict = {"database": connection.vendor, "objects": objects,
                    "pieces": fill["pieces"], "name_tokens": fill["name_tokens"],
                    "fill": fill, "reused_fill": reuse, "samples": args.samples,
                    "viewers": VIEWERS, "debug": False, "targets": TARGETS}
    # The machine is shared: its load beside the figures (1-minute averages, CPUs).
    result["machine"] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    # Others work in the same checkout: which code was measured.
    result["code"] = {"head": _git("rev-parse", "--short", "HEAD").strip(),
                      "changed_files": _git("status", "--short").splitlines()[:40]}

    pages: dict = {}
    searches: dict = {}
    slowest_page: tuple[float, object, str] = (0.0, None, "")
    slowest_search: tuple[float, object, dict] = (0.0, None, {})
    queries = _search_queries(total, args.samples, rng)
    for role, email in VIEWERS.items():
        user = User.objects.select_related("organisation").get(email=email)
        client = verified_client(user)
        sample = _sample_visible(user, total, args.samples + 10, rng)
        for pk, kind in sample:  # the purpose for persons, stated before any timing
            if kind == "person":
                client.post(f"/objecten/{pk}/", {"purpose": "Bench: onderzoek 2026-017"})
        for pk, _kind in sample[:10]:  # warm up templates and caches
            client.get(f"/objecten/{pk}/")
            client.get("/objecten/", {"q": "haven"})
        page_ms, by_kind, network_ms = [], {}, []
        for pk, kind in sample[10:]:
            t = time.perf_counter()
            response = client.get(f"/objecten/{pk}/")
            ms = (time.perf_counter() - t) * 1000
            assert response.status_code == 200, (pk, response.status_code)
            assert b'name="purpose"' not in response.content, "purpose page instead"
            page_ms.append(ms)
            by_kind.setdefault(kind, []).append(ms)
            if ms > slowest_page[0]:
                slowest_page = (ms, client, f"/objecten/{pk}/")
            t = time.perf_counter()
            client.get(f"/objecten/{pk}/netwerk.json")
            network_ms.append((time.perf_counter() - t) * 1000)
        pages[role] = {**summary(page_ms),
                       "by_kind": {k: summary(v) for k, v in sorted(by_kind.items())},
                       "network_json": summary(network_ms)}
        print(f"object page, {role}: {json.dumps(pages[role])}", flush=True)
        search_ms, by_type, hits, found = [], {}, {}, {}
        for kind, query, source in queries:
            t = time.perf_counter()
            response = client.get("/objecten/", {"q": query})
            ms = (time.perf_counter() - t) * 1000
            assert response.status_code == 200
            search_ms.append(ms)
            by_type.setdefault(kind, []).append(ms)
            hits.setdefault(kind, []).append(len(response.context["hits"]))
            found.setdefault(kind, []).append(
                any(hit.object.pk == source for hit in response.context["hits"]))
            if ms > slowest_search[0]:
                slowest_search = (ms, client, {"q": query})
        searches[role] = {**summary(search_ms), "by_query": {
            k: {**summary(v), "mean_hits": round(statistics.mean(hits[k]), 1),
                # The object the query was made from is among the hits (if the viewer sees
                # it; broad queries stop at 50 hits).
                "source_found": round(statistics.mean(found[k]), 2)}
            for k, v in sorted(by_type.items())}}
        print(f"search, {role}: {json.dumps(searches[role])}", flush=True)
    result["object_page"] = pages
    result["search"] = searches
    result["search_queries_example"] = queries[:12]

    # The queries behind the slowest object page and search request, with their plans.
    result["profile"] = {
        "object_page": _profile(slowest_page[1], slowest_page[2]),
        "search": _profile(slowest_search[1], "/objecten/", slowest_search[2]),
    }
    result["profile"]["object_page"]["measured_ms"] = round(slowest_page[0], 1)
    result["profile"]["search"]["measured_ms"] = round(slowest_search[0], 1)

    before = RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first()
    parts = measure_import_parts(args.import_rows)
    import_s = parts["seconds"]
    added = Piece.objects.filter(object_id__gt=before).count()
    result["import"] = {"rows": args.import_rows, "seconds": round(import_s, 2),
                        "rows_per_second": round(args.import_rows / import_s),
                        "pieces_added": added,
                        # the import job alone, and the matching it queues afterwards
                        "import_seconds": round(parts["import_seconds"], 2),
                        "import_rows_per_second": round(args.import_rows
                                                        / parts["import_seconds"]),
                        "resolution_seconds": round(parts["resolution_seconds"], 2)}
    print(f"import: {json.dumps(result['import'])}", flush=True)
    t = time.perf_counter()
    RegistryObject.objects.filter(pk__gt=before).delete()  # keep the fill at its size
    result["import"]["cleanup_seconds"] = round(time.perf_counter() - t, 1)
    if connection.vendor == "sqlite":
        size = sum(Path(f"{connection.settings_dict['NAME']}{s}").stat().st_size
                   for s in ("", "-wal") if Path(f"{connection.settings_dict['NAME']}{s}").exists())
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    result["db_size_mb"] = round(size / 2**20)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["machine"]["load_after"] = os.getloadavg()[0]
    result["fill_peak_rss_mb"] = fill.get("fill_peak_rss_mb")

    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"registry-{connection.vendor}-{args.objects}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("profile", "fill")},
                     indent=2, ensure_ascii=False))
    for part, profile in result["profile"].items():
        print(f"\n{part}: slowest request {profile['measured_ms']} ms, {profile['url']}; "
              f"again under the query timer {profile['request_ms']} ms, {profile['queries']} "
              f"queries, {profile['sql_ms_rerun']} ms when each is run alone")
        for query in profile["slowest"]:
            print(f"  {query['ms_rerun']:8.2f} ms  {query['sql'][:400]}")
            for line in query["plan"]:
                print(f"             {line}")
        print("\n".join("  " + line for line in profile["python_profile"]))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=2000, help="companies in the demo world")
    parser.add_argument("--objects", type=int, default=0,
                        help="registry objects of a fill through SQL (instead of --scale)")
    parser.add_argument("--pieces", type=int, default=0, help="pieces of that fill (≈10×)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the fill of an earlier run of the same size")
    parser.add_argument("--workers", type=int, default=2, help="fill processes")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=20000)
    args = parser.parse_args()
    if args.objects:
        return at_scale(args)
    return demo_world(args)


def demo_world(args: argparse.Namespace) -> int:
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

    import_s = measure_import(args.import_rows)

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
