"""Signal intake benchmark: one signal with three objects through the API, at registry scale.

    .venv/bin/python bench/signals_bench.py --objects 1000000 \
        [--database-url postgres://postgres@127.0.0.1:5432/havenbeeld_bench] [--reuse] \
        [--samples 300] [--sustained-seconds 30] [--workers 2] [--pool 4000] [--profile 40] \
        [--cprofile] [--tasks immediate|database] [--no-statistics] [--fill-only]

The registry: ``--objects`` companies and persons with their resolution profiles and blocking
keys, filled by ``resolution_bench._fill_registry`` (SQLite var/bench/signals-<objects>.sqlite3
by default, or the database given — create a PostgreSQL one first with ``psql -h 127.0.0.1 -U
postgres -c "CREATE DATABASE havenbeeld_bench"``; it is flushed unless reused). That fill makes
no pieces, so this script adds them from the same synthetic records (matched by the record id
each profile keeps): name, identifiers (KvK, EORI), founding or birth date, street, house
number, postcode, city and the derived address key, normalised by the platform's own functions
as ``registry.services.build_pieces`` would, each told by the partner the record came from, with
the name tokens ``save_pieces`` writes; the records of one planted entity become one cluster
with linked pairs, as resolution would have left them. On top come ``objects // 50`` containers
told by the terminal or Customs (some by both), their profiles built by
``resolution.services.refresh_profiles``. The fill runs in a forked process, so the peak memory
reported is that of intake alone. ``--reuse`` keeps the fill of an earlier run (the marker
var/bench/signals-fill-<vendor>-<objects>.json, written after a complete fill) — signals of
earlier runs stay in it; every run's idempotency keys carry its own run id — or completes a
registry that ``resolution_bench.py lookup`` filled (``--objects`` profiles, no pieces yet).
The signals and correlations the database held at the start are recorded: each run's pool
(below) is drawn afresh, but the rows of earlier runs stay.

The world (idempotent): port Rotterdam, themes, legal bases; the partners that told the pieces;
a terminal with the contributor who reports; public partners serving the port with analysts
and a coordinator (the triage team, notified of every signal; e-mail through the immediate
task backend into Django's locmem outbox, so nothing is printed or sent — or, with ``--tasks
database``, queued as in production and not sent); an API token.

Measured, DEBUG off, through Django's WSGI handler as a WSGI server calls it, in the process
(every middleware, token authentication, ``request_started``/``request_finished``, the whole
intake pipeline: validate, record, resolve, correlate, notify):
- latency: ``--samples`` POSTs to /api/signals (after 20 for warm-up and the heap settled as
  ``havenbeeld/wsgi.py`` settles it, ``core.startup.settle_heap``), each a signal with a
  container (valid ISO 6346 check digit), a company (KvK number and name) and a person (name and
  birth date) and its own Idempotency-Key. Half the containers and companies and a third of the
  persons are ones the registry holds (so resolution and correlation find something), the rest
  are new. p50/p95/max in ms, end to end;
- the queries of ``--profile`` further requests, grouped by statement (count, total and mean
  ms per request, the plan of the costliest); with ``--cprofile`` also the Python profile;
- sustained throughput: ``--workers`` forked processes (each its own connection, closed and
  opened again after ``CONN_MAX_AGE`` as a server's request handler does) submitting for
  ``--sustained-seconds``; completed signals/s over all and in ten windows of the run
  (``timeline``: a rate that falls as the run goes on shows there) and the correlation rows
  the run's signals wrote, in ten groups in the order they came (``correlation_timeline``:
  a correlating value's pieces grow with every signal about it, up to correlation's bounds;
  the smaller ``--pool``, the sooner that state), errors counted (SQLite:
  WAL and the busy timeout of the settings); each worker's CPU per signal and, for a
  PostgreSQL server on this machine, the server's (``server_cpu_ms_per_signal``: its
  processes' CPU time from /proc, the exited backends' included) — on two cores the two
  together bound the rate.
The planner: as the platform runs it — the statistics refreshed by the platform's own
``core.database.refresh_statistics`` (what ``havenbeeld analyze`` runs daily and a large import
runs when it finishes) after the fill; the seconds it took are recorded. ``--no-statistics``
(SQLite) drops them, to measure a planner that guesses.
The machine's load average before and after, the CPU time of the measuring process per request
(``cpu_p50_ms``: with SQLite the database's work included) and the code measured (git head,
changed files) are recorded beside the figures.

Printed and written to bench/results/signals-intake-<vendor>-<objects>[-database-tasks]
[-no-statistics].json with the targets of the signals issue (p95 ≤ 50 ms at 1,000,000 objects;
≥ 100 signals/s on 2 cores) beside the figures; nothing here asserts them.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import logging
import multiprocessing
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from resolution_bench import _django, _fill_registry, _peak_mb  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BENCH_DIR = ROOT / "var" / "bench"
TARGETS = {"p95_ms_at_1M": 50, "signals_per_s_on_2_cores": 100}
WARM_UP = 20
PORT = "rotterdam"
# Partners: who tells what (the synthetic record's source) — organisation name, kind, legal
# basis, distribution, piece source, grading; and who works there.
PARTNERS: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "riec": ("Bench RIEC Rotterdam", "riec", "openbaar-register", "all", "import", "A", "1"),
    "customs": ("Bench Douane Rotterdam", "customs", "awr-douane", "convenant", "import", "A",
                "2"),
    "police": ("Bench Zeehavenpolitie", "police", "wpg", "convenant", "manual", "B", "3"),
    "shipping": ("Bench Lijndienst B.V.", "shipping_line", "publiek-privaat", "all", "import",
                 "B", "2"),
    "municipality": ("Bench Gemeente Rotterdam", "municipality", "avg-publieke-taak",
                     "convenant", "manual", "B", "2"),
    "terminal": ("Bench Kade Terminal B.V.", "container_terminal", "publiek-privaat", "all",
                 "manual", "B", "2"),
}
STAFF: dict[str, tuple[tuple[str, str], ...]] = {  # (e-mail local part, role)
    "riec": (("analist1", "analyst"), ("analist2", "analyst"), ("analist3", "analyst"),
             ("coordinator", "coordinator")),
    "customs": (("analist", "analyst"),),
    "police": (("analist", "analyst"),),
    "municipality": (("analist", "analyst"),),
    "shipping": (("security", "contributor"),),
    "terminal": (("meldkamer", "contributor"), ("security", "coordinator")),
}
REPORTER = ("terminal", "meldkamer")
PIECE_COLUMNS = (
    "id", "object_id", "property", "scheme", "relation", "target_id", "value",
    "value_normalised", "valid_from", "valid_until", "organisation_id", "source", "observed_at",
    "recorded_at", "recorded_by_id", "distribution", "group_id", "legal_basis_id",
    "retain_until", "reliability", "credibility", "corrects_id", "retracts", "pseudonymous_in",
    "idempotency_key",
)
CONTAINER_OWNERS = ("MSCU", "MAEU", "CMAU", "HLXU", "OOLU", "TGHU", "SEGU", "TCNU", "CAIU",
                    "FCIU", "GESU", "TRHU", "BMOU", "EGHU", "ONEU", "CSQU")
SYLLABLES = ("ka", "ve", "lo", "ri", "ta", "mo", "ne", "sa", "do", "bre", "kra", "vi", "ro",
             "ze", "la", "ma", "tro", "ni", "ko", "pa", "de", "gu", "fle", "ba", "stu", "wel")


def _slug(key: str) -> str:
    return f"{key}.bench.example"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _environment(url: str, tasks: str = "immediate") -> None:
    """Django as served: no query log, tasks (e-mail) inline or queued, files under
    var/bench."""
    os.environ["HAVENBEELD_DEBUG"] = "false"
    os.environ["HAVENBEELD_TASK_BACKEND"] = tasks
    os.environ["HAVENBEELD_VAR_DIR"] = str(BENCH_DIR)
    os.environ.setdefault("HAVENBEELD_LOG_LEVEL", "WARNING")
    _django(url)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]  # the requests' host


# --- The world ----------------------------------------------------------------------------

def world() -> dict[str, Any]:
    """Port, themes, legal bases, partners and their staff; created once, found after."""
    from havenbeeld.accounts.models import Organisation, OrganisationKind, Role, User
    from havenbeeld.core.testing import make_organisation, make_user
    from havenbeeld.places.models import Port, RiecRegion
    from havenbeeld.sharing import legal_bases
    from havenbeeld.sharing.models import LegalBasis
    from havenbeeld.signals import themes

    legal_bases.seed()
    themes.seed()
    port, _ = Port.objects.get_or_create(
        slug=PORT, defaults={"name": "Rotterdam", "province": "Zuid-Holland",
                             "riec_region": RiecRegion.choices[0][0], "latitude": 51.95,
                             "longitude": 4.14})
    bases = dict(LegalBasis.objects.values_list("code", "pk"))
    days = dict(LegalBasis.objects.values_list("code", "retention_days"))
    partners: dict[str, dict[str, Any]] = {}
    for key, (name, kind, basis, distribution, source, reliability, credibility) in (
            PARTNERS.items()):
        organisation = Organisation.objects.filter(name=name).first() or make_organisation(
            name, OrganisationKind(kind), domain=_slug(key))
        organisation.ports.add(port)
        users = {}
        for local, role in STAFF[key]:
            email = f"{local}@{_slug(key)}"
            user = User.objects.filter(email=email).first() or make_user(
                email, organisation, Role(role))
            users[local] = user.pk
        partners[key] = {"org": organisation.pk, "basis": bases[basis], "days": days[basis],
                         "distribution": distribution, "source": source,
                         "reliability": reliability, "credibility": credibility,
                         "recorder": next(iter(users.values())), "users": users}
    return {"port": port.pk, "partners": partners}


# --- The fill: pieces, clusters and containers beside resolution_bench's registry -----------

class Writer:
    """Rows in bulk: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def stamp(self, moment: dt.datetime) -> str:
        text = moment.strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00" if self.postgres else text

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                                   rows)


class PieceMaker:
    """Pieces as ``build_pieces`` would make them, with the provenance of the telling partner."""

    def __init__(self, ctx: dict[str, Any], writer: Writer, first_piece: int, seed: int) -> None:
        self.ctx = ctx
        self.writer = writer
        self.next_piece = first_piece
        self.rng = random.Random(seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.pieces: list[tuple] = []
        self.tokens: list[tuple] = []
        self.clusters: list[tuple] = []
        self.pairs: list[tuple] = []
        self.names: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def name_key(self, value: str) -> str:
        key = self.names.get(value)
        if key is None:
            from havenbeeld.registry.names import name_key

            if len(self.names) > 200_000:
                self.names.clear()
            key = self.names[value] = name_key(value)
        return key

    def provenance(self, who: str) -> tuple:
        partner = self.ctx["partners"][who]
        observed = self.now - dt.timedelta(days=self.rng.randrange(1, 700),
                                           minutes=self.rng.randrange(1440))
        recorded = min(self.now, observed + dt.timedelta(days=self.rng.randrange(0, 20)))
        retain = (recorded + dt.timedelta(days=partner["days"])).date().isoformat()
        return (partner["org"], partner["source"], self.writer.stamp(observed),
                self.writer.stamp(recorded), partner["recorder"], partner["distribution"],
                None, partner["basis"], retain, partner["reliability"], partner["credibility"])

    def add(self, object_id: int, facts: list[tuple[str, str, str, str]], who: str) -> None:
        """``facts``: (property, scheme, value shown, value normalised)."""
        (org, source, observed, recorded, user, distribution, group, basis, retain,
         reliability, credibility) = self.provenance(who)
        for prop, scheme, shown, normalised in facts:
            self.next_piece += 1
            self.pieces.append((
                self.next_piece, object_id, prop, scheme, "", None, shown, normalised, None,
                None, org, source, observed, recorded, user, distribution, group, basis, retain,
                reliability, credibility, None, False, "", None))
            if prop == "name":
                self.tokens += [(word[:64], self.next_piece, object_id)
                                for word in set(normalised.split())]
        self.counts["pieces"] += len(facts)

    def cluster(self, kind: str, members: list[int]) -> None:
        """A planted entity as resolution links it: one cluster, linked pairs to its first."""
        if len(members) < 2:
            return
        first, stamp = min(members), self.writer.stamp(self.now)
        for member in sorted(members):
            self.clusters.append((member, first))
            if member != first:
                self.pairs.append((first, member, kind, "linked", "model", 12.5, 0.9997, "[]",
                                   stamp, stamp))
        self.counts["clustered_objects"] += len(members)

    def flush(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.writer.write("registry_piece", PIECE_COLUMNS, self.pieces)
            self.writer.write("registry_name_token", ("token", "piece_id", "object_id"),
                              self.tokens)
            self.writer.write("resolution_cluster", ("object_id", "cluster"), self.clusters)
            self.writer.write("resolution_pair", (
                "left_id", "right_id", "kind", "status", "method", "match_weight",
                "probability", "evidence", "created_at", "updated_at"), self.pairs)
        self.counts["name_tokens"] += len(self.tokens)
        for rows in (self.pieces, self.tokens, self.clusters, self.pairs):
            rows.clear()


def _iso_date(raw: str) -> str | None:
    from havenbeeld.resolution.features import parse_date

    text = parse_date(raw)
    if not text or text.endswith("0000"):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return None


def record_facts(record: Any, maker: PieceMaker) -> list[tuple[str, str, str, str]]:
    """The facts of a synthetic record as (property, scheme, shown, normalised)."""
    from havenbeeld.registry.identifiers import InvalidIdentifier, normalise

    facts = []
    person = record.entity_type == "person"
    name = record.name or " ".join(p for p in (record.first_name, record.last_name) if p)
    if name:
        facts.append(("name", "", name, maker.name_key(name)))
    for scheme, raw in record.identifiers:
        try:
            found = normalise(scheme, raw)
        except InvalidIdentifier:
            continue
        facts.append(("identifier", scheme, found.display, found.value))
    date = _iso_date(record.birth_date if person else record.founded)
    if date:
        facts.append(("birth_date" if person else "founded", "", date, date))
    for prop in ("street", "house_number", "city"):
        value = getattr(record, prop)
        if value:
            facts.append((prop, "", value, value.casefold()[:255]))
    postcode = None
    if record.postcode:
        try:
            postcode = normalise("postcode", record.postcode)
            facts.append(("postcode", "", postcode.display, postcode.value))
        except InvalidIdentifier:
            postcode = None
    if postcode is not None and record.house_number:  # the derived address key
        try:
            key = normalise("address", f"{record.postcode} {record.house_number}")
            facts.append(("identifier", "address", key.display, key.value))
        except InvalidIdentifier:
            pass
    return facts


def _record_ids(first: int, last: int, page: int = 20_000) -> Iterator[tuple[int, str]]:
    """(object id, record id of its profile) for the objects of resolution_bench's fill."""
    from havenbeeld.resolution.models import Profile

    after = first - 1
    while after < last:
        rows = list(Profile.objects.filter(object_id__gt=after, object_id__lte=last)
                    .order_by("object_id").values_list("object_id", "features__record_id")
                    [:page])
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


def fill_pieces(ctx: dict[str, Any], objects: int, first: int, last: int) -> dict[str, int]:
    """Pieces, name tokens and planted clusters for the objects ``first``..``last`` that
    ``_fill_registry`` made from ``synthetic.generate(objects + objects // 50, seed=2)``."""
    from havenbeeld.registry.models import Piece
    from havenbeeld.resolution import synthetic

    writer = Writer()
    start = Piece.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    maker = PieceMaker(ctx, writer, start, seed=objects)
    profiles = _record_ids(first, last)
    current = next(profiles, None)
    entity_key, members, kind = "", [], ""
    started = time.perf_counter()
    for record, entity in synthetic.generate(objects + objects // 50, seed=2):
        if current is None:
            break
        if record.record_id != current[1]:
            continue  # held back by _fill_registry (another source's record of an entity)
        object_id = current[0]
        current = next(profiles, None)
        if entity != entity_key:
            maker.cluster(kind, members)
            entity_key, members, kind = entity, [], record.entity_type
        members.append(object_id)
        maker.add(object_id, record_facts(record, maker), record.source)
        maker.counts["objects"] += 1
        if len(maker.pieces) >= 100_000:
            maker.flush()
            if maker.counts["objects"] % 100_000 < 15_000:
                _log(f"  pieces: {maker.counts['objects']:>9,} objects "
                     f"{maker.counts['pieces']:>10,} pieces "
                     f"{time.perf_counter() - started:6.0f} s")
    maker.cluster(kind, members)
    maker.flush()
    if current is not None or maker.counts["objects"] != last - first + 1:
        raise SystemExit(f"The registry fill does not match the synthetic records "
                         f"({maker.counts['objects']} of {last - first + 1} matched).")
    return dict(maker.counts)


def container_number(rng: random.Random) -> str:
    """A container number with a valid ISO 6346 check digit, as a reporter types it."""
    from stdnum import iso6346

    owner, serial = rng.choice(CONTAINER_OWNERS), f"{rng.randrange(1_000_000):06d}"
    return f"{owner} {serial} {iso6346.calc_check_digit(owner + serial)}"


def fill_containers(ctx: dict[str, Any], count: int) -> dict[str, int]:
    """``count`` containers told by the terminal or Customs (a third by both), with profiles
    and keys built by resolution's own ``refresh_profiles``."""
    from django.db import transaction

    from havenbeeld.registry.identifiers import normalise
    from havenbeeld.registry.models import Piece, RegistryObject
    from havenbeeld.resolution.services import refresh_profiles

    writer = Writer()
    start = Piece.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    maker = PieceMaker(ctx, writer, start, seed=count + 1)
    rng = random.Random(f"containers-{count}")
    first = (RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    seen: set[str] = set()
    rows = []
    object_id = first - 1
    while len(rows) < count:
        found = normalise("container", container_number(rng))
        if found.value in seen:
            continue
        seen.add(found.value)
        object_id += 1
        rows.append((object_id, "container", writer.stamp(maker.now)))
        fact = [("identifier", "container", found.display, found.value)]
        tellers = ["terminal", "customs"] if object_id % 2 else ["customs", "terminal"]
        for who in tellers[:2 if object_id % 3 == 0 else 1]:
            maker.add(object_id, fact, who)
    with transaction.atomic():
        writer.write("registry_object", ("id", "kind", "created_at"), rows)
    maker.flush()
    refresh_profiles(range(first, object_id + 1))
    return {"containers": count, "first_container": first, "last_container": object_id,
            "container_pieces": maker.counts["pieces"]}


def _after_fill() -> None:
    """Sequences past the ids written explicitly (PostgreSQL); statistics."""
    from django.core.management.color import no_style
    from django.db import connection

    from havenbeeld.registry.models import Piece, RegistryObject

    if connection.vendor != "postgresql":
        return  # SQLite: AUTOINCREMENT follows explicit ids; no ANALYZE (the platform runs none)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [RegistryObject, Piece]):
            cursor.execute(sql)
        cursor.execute("ANALYZE")


def _fill_process(ctx: dict[str, Any], objects: int, registry_done: bool,
                  queue: multiprocessing.Queue) -> None:
    from django.db import connections

    from havenbeeld.registry.models import RegistryObject

    connections.close_all()
    try:
        started = time.perf_counter()
        figures: dict[str, Any] = {}
        if registry_done:
            first = RegistryObject.objects.order_by("pk").values_list("pk", flat=True).first()
        else:
            first = (RegistryObject.objects.order_by("-pk").values_list("pk", flat=True).first()
                     or 0) + 1
            _log(f"filling {objects:,} objects with profiles and blocking keys "
                 "(resolution_bench._fill_registry)")
            _fill_registry(objects)
            figures["registry_seconds"] = round(time.perf_counter() - started, 1)
        last = first + objects - 1
        _log("adding their pieces, name tokens and planted clusters")
        t = time.perf_counter()
        figures |= fill_pieces(ctx, objects, first, last)
        figures["pieces_seconds"] = round(time.perf_counter() - t, 1)
        _log(f"adding {objects // 50:,} containers")
        figures |= fill_containers(ctx, objects // 50)
        _after_fill()
        figures |= {"first_object": first, "last_object": last,
                    "fill_seconds": round(time.perf_counter() - started, 1),
                    "fill_peak_rss_mb": _peak_mb()}
        queue.put(figures)
    except BaseException as exc:
        queue.put({"error": repr(exc)})
        raise


def prepare(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Django on the bench database with the world and a complete fill: (world, fill, reused)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{BENCH_DIR / f'signals-{args.objects}.sqlite3'}"
    vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
    marker = BENCH_DIR / f"signals-fill-{vendor}-{args.objects}.json"
    fill = json.loads(marker.read_text()) if marker.exists() else {}
    complete = bool(args.reuse and fill.get("database_url") == url
                    and fill.get("objects") == args.objects)
    sqlite_file = Path(url.removeprefix("sqlite:///")) if vendor == "sqlite" else None
    if sqlite_file is not None and not sqlite_file.exists():
        complete = False
    if not complete and not args.reuse and sqlite_file is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    _environment(url, args.tasks)
    from django.core.management import call_command
    from django.db import connections

    from havenbeeld.registry.models import RegistryObject
    from havenbeeld.resolution.models import Profile

    call_command("migrate", verbosity=0)
    if complete and not RegistryObject.objects.filter(pk=fill["last_container"]).exists():
        _log("the marker's fill is not in this database; filling afresh")
        complete = False
    registry_done = False
    if not complete:
        marker.unlink(missing_ok=True)
        # A registry of resolution_bench's (profiles, no pieces) is completed, not refilled.
        registry_done = bool(args.reuse and RegistryObject.objects.count() == args.objects
                             == Profile.objects.count())
        if not registry_done and RegistryObject.objects.exists():
            _log("emptying the database")
            call_command("flush", interactive=False, verbosity=0)
    ctx = world()
    if not complete:
        connections.close_all()
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        process = context.Process(target=_fill_process,
                                  args=(ctx, args.objects, registry_done, queue))
        started = time.perf_counter()
        process.start()
        fill = queue.get()
        process.join()
        if "error" in fill:
            raise SystemExit(f"the fill failed: {fill['error']}")
        fill |= {"database_url": url, "objects": args.objects,
                 "registry_reused_from_resolution_bench": registry_done,
                 "fill_wall_seconds": round(time.perf_counter() - started, 1)}
        marker.write_text(json.dumps(fill, indent=2) + "\n", encoding="utf-8")
        _log(f"fill done in {fill['fill_wall_seconds']} s -> {marker.relative_to(ROOT)}")
    else:
        _log(f"reusing the fill of {marker.relative_to(ROOT)}")
    return ctx, fill, complete


# --- Signals ------------------------------------------------------------------------------

def pools(fill: dict[str, Any], rng: random.Random, size: int = 4000) -> dict[str, list]:
    """Companies (name, KvK), persons (name, birth date) and containers the registry holds."""
    from havenbeeld.registry.models import Piece

    ids = rng.sample(range(fill["first_object"], fill["last_object"] + 1),
                     min(size, fill["objects"]))
    told: dict[int, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        for object_id, kind, prop, scheme, value in Piece.objects.filter(
                object_id__in=ids[start:start + 500],
                property__in=("name", "identifier", "birth_date")).values_list(
                "object_id", "object__kind", "property", "scheme", "value"):
            told[object_id].setdefault(scheme or prop, value)
            told[object_id]["kind"] = kind
    companies = [(t["name"], t["kvk"]) for t in told.values()
                 if t["kind"] == "company" and "name" in t and "kvk" in t]
    persons = [(t["name"], t["birth_date"]) for t in told.values()
               if t["kind"] == "person" and "name" in t and "birth_date" in t]
    container_ids = rng.sample(range(fill["first_container"], fill["last_container"] + 1),
                               min(size // 4, fill["containers"]))
    containers = list(Piece.objects.filter(object_id__in=container_ids, scheme="container")
                      .values_list("value", flat=True).distinct())
    return {"companies": companies, "persons": persons, "containers": containers}


class Payloads:
    """Signals as a terminal reports them: container, company, person; some known, some new."""

    def __init__(self, pool: dict[str, list], seed: str) -> None:
        from havenbeeld.demo import vocab

        self.pool = pool
        self.vocab = vocab
        self.rng = random.Random(seed)

    def _coined(self) -> str:
        return "".join(self.rng.choice(SYLLABLES)
                       for _ in range(self.rng.randint(2, 3))).capitalize()

    def make(self) -> dict[str, Any]:
        rng, vocab = self.rng, self.vocab
        known_container = rng.random() < 0.5
        container = (rng.choice(self.pool["containers"]) if known_container
                     else container_number(rng))
        if rng.random() < 0.5:
            name, kvk = rng.choice(self.pool["companies"])
        else:
            name = (f"{self._coined()} {rng.choice(vocab.COMPANY_CORES)} "
                    f"{rng.choice(vocab.LEGAL_FORMS)}")
            kvk = f"{rng.randrange(10_000_000, 100_000_000):08d}"
        if rng.random() < 1 / 3:
            person, born = rng.choice(self.pool["persons"])
        else:
            person = f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.LAST_NAMES)}"
            born = (dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16000))).isoformat()
        return {
            "theme": rng.choice(("uithalers", "uithalers", "drugs")), "port": PORT,
            "title": f"Afwijkende afhaling container {container}",
            "description": "Chauffeur meldde zich buiten het tijdvenster; gegevens wijken af "
                           "van de aanmelding (benchmark).",
            "distribution": "convenant", "legal_basis": "publiek-privaat",
            "objects": [
                {"kind": "container",
                 "identifiers": [{"scheme": "container", "value": container}]},
                {"kind": "company", "name": name,
                 "identifiers": [{"scheme": "kvk", "value": kvk}]},
                {"kind": "person", "name": person, "birth_date": born},
            ]}


class Poster:
    """POST /api/signals through Django's WSGI handler, as a WSGI server calls it (every
    middleware, ``request_started``/``request_finished`` and so ``close_old_connections``);
    counts what did not go as it should. Not the test client: it connects its receivers anew
    for every request, leaving objects behind that a long run piles up, and re-raises what a
    server answers with a 500."""

    def __init__(self, secret: str, run_id: str) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.auth = f"Bearer {secret}"
        self.run_id = run_id
        self.errors: Counter[str] = Counter()
        self.linked = 0
        self.sent = 0

    def _call(self, body: bytes, key: str) -> tuple[int, bytes]:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/api/signals", "SCRIPT_NAME": "",
            "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "HTTP_AUTHORIZATION": self.auth,
            "HTTP_IDEMPOTENCY_KEY": f"{self.run_id}-{key}",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http", "wsgi.multithread": False, "wsgi.multiprocess": True,
            "wsgi.run_once": False}
        status: list[str] = []

        def start_response(line: str, headers: list, exc_info: Any = None) -> None:
            status.append(line)

        response = self.handler(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()  # request_finished, as the server sends it
        return int(status[0].split()[0]), content

    def post(self, payload: dict[str, Any], key: str) -> bool:
        from django.core import mail

        self.sent += 1
        try:
            code, content = self._call(json.dumps(payload).encode(), key)
        finally:
            if len(getattr(mail, "outbox", ())) > 200:
                mail.outbox.clear()
        if code != 201:
            self.errors[f"HTTP {code}: {content[:160]!r}"] += 1
            return False
        self.linked += bool(json.loads(content).get("linked"))
        return True


class ErrorLog(logging.Handler):
    """Counts what the pipeline logs as an error (a failed resolution, correlation, e-mail)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen[f"{record.name}: {record.getMessage()[:160]}"] += 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(poster: Poster, payloads: Payloads, samples: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this process) milliseconds per request."""
    from havenbeeld.core.startup import settle_heap

    for i in range(WARM_UP):
        poster.post(payloads.make(), f"warm-{i}")
    settle_heap()  # as havenbeeld/wsgi.py does before a server's first request
    timings, cpu = [], []
    for i in range(samples):
        payload = payloads.make()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        poster.post(payload, f"lat-{i}")
        timings.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    return timings, cpu


_IN_LIST = re.compile(r"(%s, )+%s|(\?, )+\?")


def query_profile(poster: Poster, payloads: Payloads, requests: int,
                  python: bool) -> dict[str, Any]:
    """The statements of ``requests`` further signals: per statement count and time, the plan
    of the costliest; the Python profile too when asked."""
    from django.db import connection

    by_sql: dict[str, list[float]] = defaultdict(list)
    last_params: dict[str, tuple] = {}
    walls: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        begin = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = _IN_LIST.sub("…", sql)
            by_sql[key].append((time.perf_counter() - begin) * 1000)
            if not many:
                last_params[key] = (sql, params)

    profiler = cProfile.Profile() if python else None
    with connection.execute_wrapper(timed):
        for i in range(requests):
            payload = payloads.make()
            begin = time.perf_counter()
            if profiler:
                profiler.enable()
            poster.post(payload, f"prof-{i}")
            if profiler:
                profiler.disable()
            walls.append((time.perf_counter() - begin) * 1000)
    total_db = sum(sum(v) for v in by_sql.values())
    top = sorted(by_sql.items(), key=lambda kv: -sum(kv[1]))[:60]
    result: dict[str, Any] = {
        "requests": requests, "mean_request_ms": round(statistics.mean(walls), 2),
        "mean_db_ms_per_request": round(total_db / requests, 2),
        "queries_per_request": round(sum(len(v) for v in by_sql.values()) / requests, 1),
        "top_statements": [{"ms_per_request": round(sum(v) / requests, 2),
                            "count_per_request": round(len(v) / requests, 2),
                            "mean_ms": round(statistics.mean(v), 3),
                            "max_ms": round(max(v), 2), "sql": sql[:600]}
                           for sql, v in top]}
    costliest = next((sql for sql, _v in top if sql in last_params
                      and sql.lstrip().upper().startswith("SELECT")), None)
    if costliest:
        raw_sql, params = last_params[costliest]
        prefix = ("EXPLAIN ANALYZE " if connection.vendor == "postgresql"
                  else "EXPLAIN QUERY PLAN ")
        with connection.cursor() as cursor:
            cursor.execute(prefix + raw_sql, params)
            result["costliest_select_plan"] = [" ".join(str(c) for c in row)
                                               for row in cursor.fetchall()]
    if profiler:
        dump = BENCH_DIR / f"signals-{connection.vendor}.prof"
        profiler.dump_stats(dump)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"havenbeeld/", 35)
        stats.sort_stats("tottime").print_stats(15)
        result["python_profile"] = [line for line in out.getvalue().splitlines()
                                    if line.strip() and not line.startswith("   Ordered")]
        result["python_profile_dump"] = str(dump.relative_to(ROOT))
    return result


def _sustained_worker(index: int, secret: str, run_id: str, pool: dict[str, list],
                      barrier: Any, seconds: float, queue: multiprocessing.Queue) -> None:
    from django.db import connections

    from havenbeeld.core.startup import settle_heap

    connections.close_all()  # the parent's were closed before the fork; never share one
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    poster = Poster(secret, f"{run_id}-w{index}")
    payloads = Payloads(pool, f"{run_id}-sustained-{index}")
    for i in range(5):
        poster.post(payloads.make(), f"warm-{i}")
    settle_heap()  # as havenbeeld/wsgi.py does before a server's first request
    poster.errors.clear()
    poster.linked = 0
    barrier.wait()
    begin, begin_cpu = time.perf_counter(), time.process_time()
    done, timings, stamps, i = 0, [], [], 0
    while time.perf_counter() - begin < seconds:
        t = time.perf_counter()
        ok = poster.post(payloads.make(), f"s-{i}")
        finished = time.perf_counter()
        timings.append((finished - t) * 1000)
        if ok:
            stamps.append(finished)
        done += ok
        i += 1
    end, cpu = time.perf_counter(), time.process_time() - begin_cpu
    queue.put({"worker": index, "begin": begin, "end": end, "stamps": stamps,
               "completed": done, "sent": i,
               "cpu_ms_per_signal": round(cpu * 1000 / max(1, i), 2),
               "errors": dict(poster.errors), "logged_errors": dict(errors.seen),
               "linked": poster.linked, "p50_ms": round(statistics.median(timings), 2),
               "p95_ms": round(percentile(timings, 0.95), 2), "peak_rss_mb": _peak_mb()})
    barrier.wait(timeout=600)  # the parent reads the server's CPU while the sessions live
    connections.close_all()


def sustained(secret: str, run_id: str, pool: dict[str, list], workers: int,
              seconds: float) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)
    queue = context.Queue()
    processes = [context.Process(target=_sustained_worker,
                                 args=(n, secret, run_id, pool, barrier, seconds, queue))
                 for n in range(workers)]
    for process in processes:
        process.start()
    barrier.wait(timeout=600)
    server_begin = _server_cpu_seconds()
    results = [queue.get(timeout=seconds + 600) for _ in processes]
    server_end = _server_cpu_seconds()
    barrier.wait(timeout=600)
    for process in processes:
        process.join()
    span = max(r["end"] for r in results) - min(r["begin"] for r in results)
    completed = sum(r["completed"] for r in results)
    sent = sum(r["sent"] for r in results)
    errors: Counter[str] = Counter()
    logged: Counter[str] = Counter()
    for r in results:
        errors.update(r["errors"])
        logged.update(r["logged_errors"])
    return {"workers": workers, "seconds": round(span, 1), "completed": completed,
            "signals_per_s": round(completed / span, 1), "errors": sum(errors.values()),
            "error_kinds": dict(errors.most_common(5)), "logged_errors": sum(logged.values()),
            "logged_error_kinds": dict(logged.most_common(5)),
            "linked_share": round(sum(r["linked"] for r in results) / max(1, completed), 2),
            # The database server's CPU (PostgreSQL on this machine) for each signal sent.
            "server_cpu_ms_per_signal": (
                round((server_end - server_begin) * 1000 / max(1, sent), 2)
                if server_begin is not None and server_end is not None else None),
            "timeline": _timeline(results, seconds),
            "correlation_timeline": _correlation_timeline(run_id),
            "per_worker": [{k: v for k, v in r.items() if k not in (
                "begin", "end", "stamps", "errors", "logged_errors")} for r in results]}


def _timeline(results: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Completed signals/s over the run in ten windows (at least 5 s each), so that a rate
    that falls as the run's own signals pile up shows — the whole run's rate would hide it."""
    start = min(r["begin"] for r in results)
    window = max(5.0, seconds / 10)
    counts: Counter[int] = Counter()
    for r in results:
        counts.update(int((stamp - start) // window) for stamp in r["stamps"])
    last = int(seconds // window)  # the window cut short at the end, if any, is left out
    rates = [round(counts[n] / window, 1) for n in range(last)]
    return {"window_seconds": window, "signals_per_s": rates,
            "lowest_signals_per_s": min(rates) if rates else None}


def _correlation_timeline(run_id: str) -> dict[str, Any]:
    """The run's signals in ten groups of equal size, in the order they were recorded, and the
    correlation rows each wrote (its own, and those it added to the earlier signals it links
    to): that work grows while the pool's objects gather signals, up to correlation's bounds
    (``PER_VALUE`` pieces per value, ``PER_ENTITY`` per object from its entity's records)."""
    from django.db.models import Q

    from havenbeeld.signals.models import Correlation, Signal

    ids = list(Signal.objects.filter(idempotency_key__contains=f":{run_id}-w")
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return {}
    written: Counter[int] = Counter()
    for signal_id, other_id in (Correlation.objects.filter(
            Q(signal_id__gte=ids[0]) | Q(other_signal_id__gte=ids[0]))
            .values_list("signal_id", "other_signal_id").iterator(chunk_size=20_000)):
        written[max(signal_id, other_id or 0)] += 1  # the later of the two wrote it
    size = max(1, len(ids) // 10)
    groups = [ids[n * size:(n + 1) * size] for n in range(min(10, len(ids)))]
    return {"signals_per_group": size,
            "rows_written_per_signal": [
                round(sum(written[pk] for pk in group) / len(group), 1) for group in groups]}


def _server_cpu_seconds() -> float | None:
    """CPU seconds used so far by a PostgreSQL server on this machine: its processes' own, and
    what the backends that have exited left with the postmaster (their parent). None for
    SQLite (its work is the workers' own) or a server elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict.get("HOST") not in (
            "", "127.0.0.1", "localhost", "::1"):
        return None
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        command, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:]
        if command == "postgres":
            stats[int(entry.name)] = rest.split()
    if not stats:
        return None
    ticks = 0
    for fields in stats.values():
        # After the command: state, ppid, …; utime and stime are the 12th and 13th, the
        # children's cutime and cstime the 14th and 15th.
        ticks += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in stats:  # the postmaster
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def _high_water() -> dict[str, int]:
    from havenbeeld.registry.models import RegistryObject
    from havenbeeld.resolution.models import MatchPair

    return {model.__name__: model.objects.order_by("-pk").values_list("pk", flat=True).first()
            or 0 for model in (RegistryObject, MatchPair)}


def _outcome(run_id: str, before: dict[str, int]) -> dict[str, Any]:
    """What the run's signals became: new objects, resolution pairs, correlations."""
    from django.db.models import Count

    from havenbeeld.registry.models import RegistryObject
    from havenbeeld.resolution.models import MatchPair
    from havenbeeld.signals.models import Correlation, Signal

    signals = Signal.objects.filter(idempotency_key__contains=f":{run_id}-")
    count = signals.count()
    pairs = MatchPair.objects.filter(pk__gt=before["MatchPair"])
    return {
        "signals": count,
        "new_objects_per_signal": round(RegistryObject.objects.filter(
            pk__gt=before["RegistryObject"]).count() / max(1, count), 2),
        "pairs_proposed": dict(pairs.values_list("status").annotate(n=Count("id"))
                               .values_list("status", "n")),
        "correlated_share": round(signals.filter(correlated=True).count() / max(1, count), 2),
        "correlations_per_signal": round(
            Correlation.objects.filter(signal__in=signals).count() / max(1, count), 2),
        "correlation_bases": dict(Correlation.objects.filter(signal__in=signals)
                                  .values_list("basis").annotate(n=Count("id"))
                                  .values_list("basis", "n")),
    }


def planner_statistics(drop: bool) -> str:
    """The statistics the platform keeps (``refresh_statistics``), or — ``drop``, SQLite —
    none."""
    from django.db import connection

    from havenbeeld.core.database import refresh_statistics

    if drop and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat4")
        connection.close()
        return "sqlite: no statistics (dropped)"
    seconds = refresh_statistics()
    connection.close()
    return f"{connection.vendor}: refreshed by the platform's refresh_statistics ({seconds:.1f} s)"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,  # noqa: S603,S607
                              text=True, check=False).stdout
    except OSError:
        return ""


def run(args: argparse.Namespace) -> dict[str, Any]:
    ctx, fill, reused = prepare(args)
    from django.db import connection

    from havenbeeld.accounts.models import User
    from havenbeeld.accounts.services.tokens import issue_token
    from havenbeeld.registry.models import RegistryObject
    from havenbeeld.signals.models import Correlation, Signal

    statistics_note = planner_statistics(args.no_statistics)
    run_id = f"bench-{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    reporter = User.objects.get(pk=ctx["partners"][REPORTER[0]]["users"][REPORTER[1]])
    _token, secret = issue_token(actor=reporter, user=reporter, name=run_id)
    rng = random.Random(run_id)
    pool = pools(fill, rng, args.pool)
    total_objects = RegistryObject.objects.count()
    # What earlier runs on a reused fill left: their signals and correlations make every
    # later signal's lookups longer, so the figures of two runs compare only beside these.
    earlier = {"signals": Signal.objects.count(), "correlations": Correlation.objects.count()}
    before = _high_water()
    result: dict[str, Any] = {
        "database": connection.vendor, "objects": args.objects,
        "registry_objects_at_start": total_objects, "containers": fill["containers"],
        "signals_at_start": earlier["signals"],
        "correlations_at_start": earlier["correlations"],
        "pieces_of_fill": fill["pieces"] + fill["container_pieces"], "reused_fill": reused,
        "fill": {k: v for k, v in fill.items() if k != "database_url"}, "run_id": run_id,
        "date": dt.datetime.now().isoformat(timespec="seconds"), "debug": False,
        "task_backend": args.tasks, "planner_statistics": statistics_note,
        "machine": {"cpus": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2)},
        "code": {"head": _git("rev-parse", "--short", "HEAD").strip(),
                 "changed_files": _git("status", "--short").splitlines()[:40]},
        "pool": {k: len(v) for k, v in pool.items()}, "targets": TARGETS}
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    _log(f"{total_objects:,} registry objects; {WARM_UP} warm-up and {args.samples} timed "
         "signals")
    poster = Poster(secret, run_id)
    payloads = Payloads(pool, f"{run_id}-latency")
    timings, cpu = latency(poster, payloads, args.samples)
    result |= {"samples": len(timings), "p50_ms": round(statistics.median(timings), 2),
               "p95_ms": round(percentile(timings, 0.95), 2),
               "max_ms": round(max(timings), 2), "mean_ms": round(statistics.mean(timings), 2),
               # CPU of this process (with SQLite: the database's work too): against a busy
               # machine's wall clock.
               "cpu_p50_ms": round(statistics.median(cpu), 2),
               "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
               "latency_linked_share": round(poster.linked / max(1, poster.sent), 2),
               "latency_errors": sum(poster.errors.values()),
               "latency_error_kinds": dict(poster.errors.most_common(5))}
    _log(f"latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
         f"max {result['max_ms']} ms")
    if args.profile:
        _log(f"profiling {args.profile} more signals")
        result["profile"] = query_profile(poster, payloads, args.profile, args.cprofile)
    result["peak_rss_mb"] = _peak_mb()
    if args.sustained_seconds > 0:
        _log(f"sustained: {args.workers} workers for {args.sustained_seconds} s")
        result["sustained"] = sustained(secret, run_id, pool, args.workers,
                                        args.sustained_seconds)
        result["sustained_signals_per_s"] = result["sustained"]["signals_per_s"]
        result["workers"] = args.workers
        result["seconds"] = result["sustained"]["seconds"]
        _log(f"sustained {result['sustained_signals_per_s']} signals/s")
    result["errors"] = (result["latency_errors"]
                        + result.get("sustained", {}).get("errors", 0))
    result["logged_errors"] = (sum(errors.seen.values())
                               + result.get("sustained", {}).get("logged_errors", 0))
    result["logged_error_kinds"] = dict(errors.seen.most_common(5))
    result["outcome"] = _outcome(run_id, before)
    result["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", action="store_true",
                        help="Keep the fill of an earlier run of the same size.")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--sustained-seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=4000,
                        help="Registry objects the run's signals draw their known companies and "
                             "persons from (and a quarter as many containers): a smaller pool "
                             "reaches sooner the state where every value correlates with as "
                             "many pieces as correlation keeps (PER_VALUE).")
    parser.add_argument("--profile", type=int, default=40,
                        help="Signals whose queries are profiled after the timed ones (0: none).")
    parser.add_argument("--cprofile", action="store_true",
                        help="Also the Python profile of those signals.")
    parser.add_argument("--tasks", choices=("immediate", "database"), default="immediate",
                        help="Task backend: e-mail sent inside the request (locmem outbox) or "
                             "queued for a worker (none runs here).")
    parser.add_argument("--no-statistics", action="store_true",
                        help="SQLite: measure without planner statistics.")
    parser.add_argument("--fill-only", action="store_true",
                        help="Prepare the database (world and fill) and stop.")
    args = parser.parse_args()
    if args.fill_only:
        prepare(args)
        return 0
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.tasks == "immediate" else f"-{args.tasks}-tasks") + (
        "-no-statistics" if args.no_statistics and result["database"] == "sqlite" else "")
    out = RESULTS / f"signals-intake-{result['database']}-{args.objects}{suffix}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    shown = {k: v for k, v in result.items() if k not in ("profile", "fill", "code")}
    print(json.dumps(shown, indent=2, default=str))
    if "profile" in result:
        profile = result["profile"]
        print(f"profile: {profile['queries_per_request']} queries, "
              f"{profile['mean_db_ms_per_request']} ms in the database of "
              f"{profile['mean_request_ms']} ms per request; costliest statements:")
        for row in profile["top_statements"][:8]:
            print(f"  {row['ms_per_request']:7.2f} ms/req  {row['count_per_request']:5.1f}x "
                  f"max {row['max_ms']:7.2f}  {row['sql'][:150]}")
        for line in profile.get("costliest_select_plan", []):
            print(f"    {line}")
        for line in profile.get("python_profile", []):
            print(f"  {line}")
    print(f"-> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
