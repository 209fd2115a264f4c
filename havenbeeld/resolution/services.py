"""Resolution in the platform: profiles, candidate lookup, batch runs, decisions and clusters.

The matching itself (features, blocking keys, the model, the linker) is the same code that
``havenbeeld resolve-file`` runs on a file. What this module adds is the platform's state:

- ``refresh_profiles``: each object's matching features and blocking keys, built from *all* its
  pieces (resolution works for the platform as a whole; what a viewer is shown of a candidate
  always goes through the picture, never through a profile);
- ``lookup``: ranked candidates for a new record, through the indexed keys and the Python scorer
  (for intake: above the link threshold it links, below the review threshold it is new, between
  the two a pair goes to review; the batch linker's rare-name rule links too, with the registry's
  objects and clusters as the data set);
- ``run_batch``: re-link everything (idempotent: a second run changes nothing);
- ``decide`` / ``undo`` / ``split``: analysts' decisions, never rewriting pieces; a "not the same"
  is remembered and wins over any later machine proposal.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from havenbeeld.accounts.models import Organisation, User
from havenbeeld.audit import events
from havenbeeld.audit.models import EventType
from havenbeeld.core import hot
from havenbeeld.core.database import after_bulk_work
from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject
from havenbeeld.resolution import linker
from havenbeeld.resolution import model as models_
from havenbeeld.resolution.blocking import (
    MAX_BLOCK,
    blocking_keys,
    distinctive_tokens,
    name_block_key,
)
from havenbeeld.resolution.features import (
    COMPANY,
    PERSON,
    Record,
    features,
    usable,
)
from havenbeeld.resolution.linker import (
    AGREEING_NAMES,
    LINK_WEIGHT,
    NAME_COMPARISONS,
    NAME_REVIEW_WEIGHT,
    RARE_NAME,
    RARE_NAME_KINDS,
    REVIEW_WEIGHT,
    Pair,
    differ_in_singular,
    link,
    rare_name,
    rare_name_groups,
)
from havenbeeld.resolution.models import (
    DECIDED_STATUSES,
    LINKING_STATUSES,
    BlockingKey,
    ClusterMembership,
    Decision,
    MatchPair,
    Method,
    PairStatus,
    Profile,
    ResolutionModel,
    ResolutionRun,
    Verdict,
)

log = logging.getLogger(__name__)
CHUNK = 2000
KEY_BATCH = 400  # blocking keys looked up in one statement (SQLite allows 500 UNION terms)
RESOLVED_KINDS = (ObjectKind.PERSON, ObjectKind.COMPANY)
_RECORD_FIELDS = {Property.NAME: "name", Property.BIRTH_DATE: "birth_date",
                  Property.FOUNDED: "founded", Property.STREET: "street",
                  Property.HOUSE_NUMBER: "house_number", Property.POSTCODE: "postcode",
                  Property.CITY: "city", Property.COUNTRY: "country"}


class ResolutionError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- records and profiles ------------------------------------------------------------------

def _current(pieces: list[tuple]) -> list[tuple]:
    """Pieces not corrected or retracted by a later piece (and not retractions themselves)."""
    superseded = {p[5] for p in pieces if p[5] is not None}
    return [p for p in pieces if p[0] not in superseded and not p[6]]


def records_for(object_ids: Iterable[int], pieces: QuerySet[Piece] | None = None,
                kinds: dict[int, str] | None = None) -> Iterator[tuple[int, str, Record]]:
    """(object id, kind, record) from the current pieces of the objects (all of them, or
    those of ``pieces`` — e.g. what one viewer may see)."""
    ids = list(object_ids)
    if kinds is None:  # the caller may know them (object id → kind)
        kinds = dict(RegistryObject.objects.filter(pk__in=ids).values_list("pk", "kind"))
    if pieces is None:
        rows: Iterable[tuple] = _all_pieces(ids)
    else:
        rows = (pieces.filter(object_id__in=ids).exclude(property=Property.RELATION)
                .order_by("object_id", "recorded_at", "pk")
                .values_list("pk", "object_id", "property", "value", "scheme", "corrects_id",
                             "retracts", "organisation__name"))
    by_object: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_object[row[1]].append(row)
    for object_id in ids:
        kind = kinds.get(object_id)
        if kind is None:
            continue
        pieces = _current(by_object.get(object_id, []))
        values: dict[str, str] = {}
        identifiers = []
        for _pk, _obj, prop, value, scheme, _c, _r, _org in pieces:
            if prop == Property.IDENTIFIER and scheme:
                identifiers.append((scheme, value))
            elif prop in _RECORD_FIELDS:
                values[_RECORD_FIELDS[prop]] = value  # the latest told value
        source = pieces[0][7] if pieces else ""
        yield object_id, kind, Record(
            record_id=str(object_id), source=source,
            entity_type=kind if kind in (PERSON, COMPANY) else COMPANY,
            identifiers=tuple(identifiers), **values)


def _all_pieces(ids: list[int]) -> list[tuple]:
    """What ``records_for`` reads of all pieces of the objects, in SQL (``core.hot``): it runs
    for every signal and every object an import touches."""
    if not ids:
        return []
    return hot.rows(
        'SELECT p."id", p."object_id", p."property", p."value", p."scheme", p."corrects_id", '  # noqa: S608
        f'p."retracts", o."name" FROM "{Piece._meta.db_table}" p '
        f'INNER JOIN "{Organisation._meta.db_table}" o ON o."id" = p."organisation_id" '
        f'WHERE p."object_id" IN ({hot.marks(len(ids))}) AND p."property" != %s '
        'ORDER BY p."object_id", p."recorded_at", p."id"', [*ids, Property.RELATION])


def refresh_profiles(object_ids: Iterable[int] | None = None) -> int:
    """(Re)build profiles and blocking keys; all objects when ``object_ids`` is None."""
    if object_ids is None:
        ids_iter: Iterable[int] = RegistryObject.objects.order_by("pk").values_list(
            "pk", flat=True).iterator(chunk_size=CHUNK)
    else:
        ids_iter = sorted(set(object_ids))
    done = 0
    batch: list[int] = []
    for object_id in ids_iter:
        batch.append(object_id)
        if len(batch) >= CHUNK:
            done += len(_refresh_batch(batch))
            batch = []
    if batch:
        done += len(_refresh_batch(batch))
    return done


def _refresh_batch(ids: list[int]) -> list[Profile]:
    """The objects' profiles and keys, rebuilt and saved; returns the profiles."""
    profiles, keys = _build_profiles(ids)
    with transaction.atomic():
        _save_profiles(ids, profiles, keys)
    return profiles


def _build_profiles(ids: list[int], kinds: dict[int, str] | None = None
                    ) -> tuple[list[Profile], list[tuple[int, str]]]:
    """The objects' profiles and blocking keys from their current pieces (not saved)."""
    profiles, keys = [], []
    for object_id, kind, record in records_for(ids, kinds=kinds):
        row = features(record)
        row["entity_type"] = kind
        if kind in RESOLVED_KINDS:
            object_keys = blocking_keys(row)
        else:  # vessels, containers, accounts…: only their identifiers link them
            object_keys = {f"i:{t}" for t in row.get("strong_ids") or ()}
        profiles.append(Profile(object_id=object_id, kind=kind, features=row,
                                updated_at=timezone.now()))
        keys += [(object_id, k[:190]) for k in sorted(object_keys)]
    return profiles, keys


def _save_profiles(ids: list[int], profiles: list[Profile], keys: list[tuple[int, str]],
                   new: frozenset[int] = frozenset()) -> None:
    """Replace the objects' profiles and keys (inside the caller's transaction). Objects in
    ``new``, created in the caller's transaction or just before, have none to replace."""
    old = [object_id for object_id in ids if object_id not in new]
    if old:
        # In SQL: nothing refers to profiles or keys, so the ORM's deletion would come to
        # these statements, after compiling them for every signal.
        with connection.cursor() as cursor:
            for model in (BlockingKey, Profile):
                for start in range(0, len(old), CHUNK):
                    chunk = old[start:start + CHUNK]
                    cursor.execute(f'DELETE FROM "{model._meta.db_table}" '  # noqa: S608
                                   f'WHERE "object_id" IN ({hot.marks(len(chunk))})', chunk)
    hot.insert(profiles)  # bulk_create's rows, without its per-value compilation
    hot.insert_values(BlockingKey, ("object_id", "key"), keys)


# --- models -------------------------------------------------------------------------------

def active_settings(kind: str) -> dict[str, Any]:
    """The latest trained model; the default model while there is none that fits this
    version's comparisons (the next batch run retrains)."""
    saved = ResolutionModel.objects.filter(kind=kind).first()
    if saved is not None and models_.fits(kind, saved.settings):
        return saved.settings
    if saved is not None:
        log.warning("The %s model of %s predates this version's comparisons; the default "
                    "model is used until it is retrained.", kind, saved.trained_at)
    return models_.default_settings(kind)


def _models_fit() -> bool:
    for kind in (PERSON, COMPANY):
        saved = ResolutionModel.objects.filter(kind=kind).first()
        if saved is None or not models_.fits(kind, saved.settings):
            return False
    return True


_SCORERS: dict[tuple, models_.Scorer] = {}


def scorer(kind: str) -> models_.Scorer:
    return scorers((kind,))[kind]


def scorers(kinds: Iterable[str]) -> dict[str, models_.Scorer]:
    """The scorers of the latest models of ``kinds``, in one query. A model is read and
    checked once per process and kept by its id and training time: a retrained model is a new
    row (and an id a rolled-back row once had comes with another time)."""
    wanted = sorted(set(kinds))
    latest: dict[str, tuple] = {}
    if wanted:  # per kind its latest model (the model's ordering), one index read each
        part = (f'SELECT * FROM (SELECT "kind", "id", "trained_at" FROM '  # noqa: S608
                f'"{ResolutionModel._meta.db_table}" WHERE "kind" = %s '
                'ORDER BY "trained_at" DESC, "id" DESC LIMIT 1) AS m')
        for kind, pk, trained_at in hot.rows(
                " UNION ALL ".join(f"{part}{i}" for i in range(len(wanted))), wanted,
                model=ResolutionModel, fields=("kind", "id", "trained_at")):
            latest[kind] = (pk, trained_at)
    out = {}
    for kind in wanted:
        key = (kind, *latest.get(kind, (0, None)))
        if key not in _SCORERS:
            if len(_SCORERS) > 16:
                _SCORERS.clear()
            _SCORERS[key] = models_.Scorer(kind, active_settings(kind))
        out[kind] = _SCORERS[key]
    return out


# --- candidate lookup ------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    object_id: int
    match_weight: float
    probability: float
    evidence: tuple[models_.Evidence, ...]
    deterministic: bool
    kind: str = COMPANY
    rule: str = ""  # a rule of the linker that links the pair below the link weight (RARE_NAME)

    @property
    def outcome(self) -> str:
        """``link``, ``review`` or ``new`` — the same rule as the batch linker's."""
        names_against = any(e.comparison in NAME_COMPARISONS.get(self.kind, ()) and e.weight < 0
                            for e in self.evidence)
        if self.deterministic or self.rule:
            return "link"
        if names_against:
            return "new"
        if self.match_weight >= LINK_WEIGHT:
            return "link"
        if self.match_weight >= REVIEW_WEIGHT:
            return "review"
        names = AGREEING_NAMES.get(self.kind, ())
        names_agree = bool(names) and all(e.weight > 0 for e in self.evidence
                                          if e.comparison in names)
        return "review" if names_agree and self.match_weight >= NAME_REVIEW_WEIGHT else "new"


def lookup(record: Record, *, limit: int = 10, exclude: Iterable[int] = ()) -> list[Candidate]:
    """Ranked candidates for a record, from the indexed blocking keys and the Python scorer."""
    return lookup_row(features(record), limit=limit, exclude=exclude)


def lookup_row(row: dict[str, Any], *, limit: int = 10, exclude: Iterable[int] = (),
               score: models_.Scorer | None = None) -> list[Candidate]:
    if not usable(row):
        return []
    kind = row["entity_type"]
    return lookup_rows([(row, set(exclude))], {kind: score or scorer(kind)}, limit=limit)[0]


def lookup_rows(rows: list[tuple[dict[str, Any], set[int]]],
                score: dict[str, models_.Scorer], *, limit: int = 10
                ) -> list[list[Candidate]]:
    """Candidates for each (feature row, objects to leave out), ranked: the key holders of all
    rows in one read (per ``KEY_BATCH`` keys), their profiles in one more — an import's chunk
    is matched with a handful of round trips, not several per record. ``score``: the scorer
    of each row's kind."""
    keys = {row_id: sorted(blocking_keys(row)) if usable(row) else []
            for row_id, (row, _ex) in enumerate(rows)}
    holders = _key_holders(sorted({k for row_keys in keys.values() for k in row_keys}))
    found: dict[int, dict[int, None]] = {}
    for row_id, (_row, excluded) in enumerate(rows):
        found[row_id] = {object_id: None for key in keys[row_id]
                         if len(holders.get(key[:190], ())) <= MAX_BLOCK
                         for object_id in holders.get(key[:190], ()) if object_id not in excluded}
    wanted = sorted({o for ids in found.values() for o in ids})
    profiles: dict[int, tuple[str, dict[str, Any]]] = {}
    for start in range(0, len(wanted), CHUNK):
        profiles.update((object_id, (kind, features_)) for object_id, kind, features_ in
                        _profiles(wanted[start:start + CHUNK]))
    of_kinds: dict[int, dict[int, dict[str, Any]]] = {}
    asks: list[_RareNameAsk] = []
    for row_id, (row, excluded) in enumerate(rows):
        if not found[row_id]:
            continue
        kind = row["entity_type"]
        of_kinds[row_id] = {o: profiles[o][1] for o in found[row_id]
                            if o in profiles and profiles[o][0] == kind}
        name_key = name_block_key(row)
        asks.append((row, holders.get(name_key[:190], []) if name_key else [], excluded,
                     of_kinds[row_id], score[kind]))
    by_name = iter(_rare_name_links_of(asks))
    out = []
    for row_id, (row, _excluded) in enumerate(rows):
        if row_id not in of_kinds:
            out.append([])
            continue
        kind = row["entity_type"]
        out.append(_ranked(row, of_kinds[row_id], next(by_name), score[kind], limit))
    return out


def _profiles(ids: list[int], kind: str | None = None) -> list[tuple[int, str, dict]]:
    """(object id, kind, features) of the objects' profiles (of ``kind`` only, when given), in
    SQL (``core.hot``): it runs for every candidate lookup."""
    if not ids:
        return []
    of_kind = ' AND "kind" = %s' if kind else ""
    return hot.rows(f'SELECT "object_id", "kind", "features" FROM '  # noqa: S608
                    f'"{Profile._meta.db_table}" WHERE "object_id" IN ({hot.marks(len(ids))})'
                    f'{of_kind}', [*ids, *([kind] if kind else [])],
                    model=Profile, fields=("object_id", "kind", "features"))


def _ranked(row: dict[str, Any], profiles: dict[int, dict[str, Any]], by_name: set[int],
            score: models_.Scorer, limit: int) -> list[Candidate]:
    kind = row["entity_type"]
    candidates = []
    for object_id, other in profiles.items():
        result = score.score(row, other)
        deterministic = shares_strong(row, other)
        rule = RARE_NAME if object_id in by_name else ""
        if (result.match_weight < min(REVIEW_WEIGHT, NAME_REVIEW_WEIGHT) and not deterministic
                and not rule):
            continue
        candidates.append(Candidate(object_id, result.match_weight, result.probability,
                                    result.evidence, deterministic, kind, rule))
    candidates.sort(key=lambda c: (not (c.deterministic or c.rule), -c.match_weight))
    return candidates[:limit]


_RareNameAsk = tuple[dict[str, Any], list[int], set[int], dict[int, dict[str, Any]],
                     models_.Scorer]


def _rare_name_links_of(asks: list[_RareNameAsk]) -> list[set[int]]:
    """Per (row, holders, own, profiles, scorer): the objects the row links to by the batch
    linker's rare-name rule (``linker.rare_name``, ``linker.rare_name_groups``), with the
    registry as the data set — the objects holding the row's name key (``holders``), grouped
    by their clusters. The row is one of them on intake (its object is in ``own``); a record
    looked up before it is saved is a group of its own. The clusters, their members and the
    members' sources are read once for all rows (``core.hot``: this runs for most companies
    and persons a signal names, and for every row of an import chunk — three statements per
    row before)."""
    table = ClusterMembership._meta.db_table
    subjects: list[tuple[int, list[int], dict[int, dict[str, Any]]] | None] = []
    for row, holders, own, profiles, _score in asks:
        if (row["entity_type"] not in RARE_NAME_KINDS or not row.get("source")
                or not distinctive_tokens(row) or len(holders) > MAX_BLOCK):
            subjects.append(None)
            continue
        mine = [h for h in holders if h in own]
        me = mine[0] if len(mine) == 1 else 0  # 0: the record looked up (ids start at 1)
        others = [h for h in holders if h != me]
        if len(mine) > 1 or not others or any(h not in profiles for h in others):
            subjects.append(None)  # a holder of another kind, or excluded: no rule
            continue
        subjects.append((me, others, {h: profiles[h] for h in others} | {me: row}))
    listed = sorted({h for subject in subjects if subject for h in subject[2]})
    clusters = dict(_chunked_rows(f'SELECT "object_id", "cluster" FROM "{table}" '  # noqa: S608
                                  'WHERE "object_id" IN ({marks})', listed))
    group_of_all = {h: clusters.get(h, -h) for h in listed}  # no cluster: a group of its own
    groups = sorted({g for g in group_of_all.values() if g > 0})
    members_of: dict[int, set[int]] = defaultdict(set)
    for object_id, cluster in _chunked_rows(f'SELECT "object_id", "cluster" FROM "{table}" '  # noqa: S608
                                            'WHERE "cluster" IN ({marks})', groups):
        members_of[cluster].add(object_id)
    wanted = sorted({m for g in groups for m in members_of[g]} | set(listed))
    sources = {object_id: features_.get("source") for start in range(0, len(wanted), CHUNK)
               for object_id, _kind, features_ in _profiles(wanted[start:start + CHUNK])}
    out: list[set[int]] = []
    for (row, _holders, _own, _of_kind, score), subject in zip(asks, subjects, strict=True):
        if subject is None:
            out.append(set())
            continue
        me, others, rows = subject
        group_of = {h: group_of_all[h] for h in rows}
        members: dict[int, set[int]] = defaultdict(set)
        for group in {g for g in group_of.values() if g > 0}:
            members[group] |= members_of[group]
        for holder, group in group_of.items():
            members[group].add(holder)
        if not rare_name_groups({(row["source"] if m == me else sources.get(m)) or ""
                                 for m in group} for group in members.values()):
            out.append(set())
            continue
        if any(not rare_name(rows[a], rows[b], ()) or not rare_name(
                rows[a], rows[b], (e.weight for e in score.score(rows[a], rows[b]).evidence))
               for a in rows for b in rows if a < b and group_of[a] != group_of[b]):
            out.append(set())
            continue
        out.append({h for h in others if group_of[h] != group_of[me]})
    return out


def _chunked_rows(sql: str, ids: list[int]) -> list[tuple]:
    """``sql`` (its ``IN ({marks})`` filled) for ``ids``, at most ``CHUNK`` at a time."""
    found: list[tuple] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found += hot.rows(sql.format(marks=hot.marks(len(chunk))), chunk)
    return found


def _key_holders(keys: list[str]) -> dict[str, list[int]]:
    """Per key, the objects holding it — at most MAX_BLOCK + 1 of them: a key held by more
    says too little to compare its holders.

    One round trip: a UNION ALL of per-key index range scans, each stopped after MAX_BLOCK + 1
    rows, so a very common key costs no more than a rare one.
    """
    by_key: dict[str, list[int]] = defaultdict(list)
    table = BlockingKey._meta.db_table
    part = (f'SELECT * FROM (SELECT "key", "object_id" FROM "{table}" '  # noqa: S608
            f'WHERE "key" = %s LIMIT {MAX_BLOCK + 1}) AS k')
    for start in range(0, len(keys), KEY_BATCH):
        batch = keys[start:start + KEY_BATCH]
        sql = " UNION ALL ".join(f"{part}{i}" for i in range(len(batch)))
        with connection.cursor() as cursor:
            cursor.execute(sql, [key[:190] for key in batch])
            for key, object_id in cursor.fetchall():
                by_key[key].append(object_id)
    return by_key


def shares_strong(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Two feature rows share a strong identifier and differ in no singular one."""
    a, b = left.get("strong_ids") or (), right.get("strong_ids") or ()
    return not set(a).isdisjoint(b) and not differ_in_singular(a, b)


# --- intake ---------------------------------------------------------------------------------

def on_pieces_saved(sender: object, object_ids: set[int], **kwargs: object) -> None:
    """After the pieces are committed, match the objects they describe."""
    ids = set(object_ids)
    transaction.on_commit(lambda: _intake_quietly(ids))


def _intake_quietly(object_ids: set[int]) -> None:
    try:
        intake(object_ids)
    except Exception:  # the pieces are saved; the next batch run links what this missed
        log.exception("Resolution intake failed for %d objects", len(object_ids))


def intake(object_ids: Iterable[int]) -> dict[str, int]:
    """Refresh the objects' profiles and propose pairs with the best candidates.

    Above the link threshold (or on a shared strong identifier) the pair links; between the
    review and link thresholds it waits in the review queue; pairs an analyst decided are left
    as they are.
    """
    ids = sorted(set(object_ids))
    counts = {"linked": 0, "review": 0}
    for start in range(0, len(ids), CHUNK):
        found = prepare_intake(ids[start:start + CHUNK])
        with transaction.atomic():
            for key, value in found.apply().items():
                counts[key] += value
    return counts


@dataclass
class PreparedIntake:
    """An intake read and scored, waiting to be written (``apply``, inside the caller's
    transaction — the signal pipeline writes it together with the signal's correlations)."""

    ids: list[int]
    profiles: list[Profile]
    keys: list[tuple[int, str]]  # (object id, blocking key)
    proposals: dict[tuple[int, int], tuple[Candidate, str]]
    saved: bool  # the profiles were saved already
    new: frozenset[int] = frozenset()  # objects that had no profile (created just now)

    def apply(self) -> dict[str, int]:
        counts = {"linked": 0, "review": 0}
        if not self.saved:
            _save_profiles(self.ids, self.profiles, self.keys, self.new)
        changed = _propose(self.proposals)
        touched: set[int] = set()
        for (left, right), status in changed.items():
            counts["linked" if status == PairStatus.LINKED else "review"] += 1
            touched |= {left, right}
        if touched:
            _recompute_around(touched)
        return counts


def prepare_intake(ids: list[int], kinds: dict[int, str] | None = None,
                   new: Iterable[int] = ()) -> PreparedIntake:
    """Read and score (at most ``CHUNK`` objects); nothing written — see ``PreparedIntake``.
    ``new``: those of the objects the caller created just now (no profile to replace).

    Everything is read and scored first, so that the writes take one short transaction: on
    SQLite, one write lock per intake instead of three. An object's lookup excludes the object
    itself, so it needs no new profile — unless another object of its kind arrives with it
    (two records of one company in a file): then the profiles are saved first, so that they
    find each other.
    """
    ids = sorted(set(ids))
    new = frozenset(new)
    _lock_for_profiles([object_id for object_id in ids if object_id not in new])
    profiles, keys = _build_profiles(ids, kinds)
    together = any(n > 1 for n in Counter(p.kind for p in profiles).values())
    if together:
        with transaction.atomic():
            _save_profiles(ids, profiles, keys, new)
    score = scorers({p.kind for p in profiles if p.kind in RESOLVED_KINDS})
    resolved = [p for p in profiles if p.kind in RESOLVED_KINDS and usable(p.features)]
    found = dict(zip((p.object_id for p in resolved), lookup_rows(
        [(p.features, {p.object_id}) for p in resolved], score), strict=True))
    proposals: dict[tuple[int, int], tuple[Candidate, str]] = {}
    for profile in profiles:
        candidates = (found.get(profile.object_id, []) if profile.kind in RESOLVED_KINDS
                      else _identifier_candidates(profile))
        for candidate in candidates:
            outcome = candidate.outcome
            if outcome == "new":
                continue
            status = PairStatus.LINKED if outcome == "link" else PairStatus.REVIEW
            pair = tuple(sorted((profile.object_id, candidate.object_id)))
            proposals.setdefault(pair, (candidate, status))
    return PreparedIntake(ids, profiles, keys, proposals, saved=together, new=new)


def _lock_for_profiles(ids: list[int]) -> None:
    """PostgreSQL, inside the caller's transaction: lock the objects whose profiles it is about
    to rebuild, until it ends. Two intakes about one object read its pieces and replaced its
    keys side by side: the second missed the first one's pieces and, not seeing the keys the
    first had just written, broke the one-key-per-object rule. Now the second waits and then
    reads what the first committed. In key order, so that two intakes locking several of the
    same objects cannot each hold one the other waits for."""
    if not ids or connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            cursor.execute(f'SELECT "id" FROM "{RegistryObject._meta.db_table}" '  # noqa: S608
                           f'WHERE "id" IN ({hot.marks(len(chunk))}) ORDER BY "id" '
                           'FOR NO KEY UPDATE', chunk)


def _identifier_candidates(profile: Profile) -> list[Candidate]:
    """Vessels, containers, accounts…: only a shared strong identifier links them."""
    row = profile.features
    keys = [f"i:{t}" for t in row.get("strong_ids") or ()]
    if not keys:
        return []
    holders = {object_id for (object_id,) in hot.rows(
        f'SELECT "object_id" FROM "{BlockingKey._meta.db_table}" '  # noqa: S608
        f'WHERE "key" IN ({hot.marks(len(keys))}) AND "object_id" != %s LIMIT {MAX_BLOCK}',
        [*keys, profile.object_id])}
    if not holders:
        return []
    return [Candidate(object_id, 60.0, 1.0, (), True, profile.kind)
            for object_id, _kind, features_ in _profiles(sorted(holders), profile.kind)
            if shares_strong(row, features_)]


def _propose(proposals: dict[tuple[int, int], tuple[Candidate, str]]
             ) -> dict[tuple[int, int], str]:
    """Record the proposed pairs (one read of those that exist, one write); pairs an analyst
    decided, and pairs already in the proposed state, are left alone. Returns the pairs
    changed with their new status."""
    if not proposals:
        return {}
    lefts = {left for left, _right in proposals}
    rights = {right for _left, right in proposals}
    existing = {(p.left_id, p.right_id): p for p in hot.instances(
        MatchPair, f'"left_id" IN ({hot.marks(len(lefts))}) '
        f'AND "right_id" IN ({hot.marks(len(rights))})', [*sorted(lefts), *sorted(rights)])
        if (p.left_id, p.right_id) in proposals}
    now = timezone.now()
    fresh, changed, done = [], [], {}
    for (left, right), (candidate, status) in proposals.items():
        pair = existing.get((left, right))
        if pair is not None and (pair.status in DECIDED_STATUSES or pair.status == status):
            continue
        evidence = [{"comparison": e.comparison, "level": e.level,
                     "weight": round(e.weight, 2)} for e in candidate.evidence]
        evidence += _rule_evidence(candidate.rule)
        values = {"kind": candidate.kind, "status": status,
                  "method": Method.IDENTIFIER if candidate.deterministic else Method.MODEL,
                  "match_weight": round(candidate.match_weight, 4),
                  "probability": candidate.probability, "evidence": evidence,
                  "updated_at": now}
        if pair is None:
            fresh.append(MatchPair(left_id=left, right_id=right, **values))
        else:
            for name, value in values.items():
                setattr(pair, name, value)
            changed.append(pair)
        done[(left, right)] = status
    with transaction.atomic(savepoint=False):
        # A parallel intake may have proposed the same pair a moment ago: it stands.
        hot.insert(fresh, ignore_conflicts=True)
        if changed:
            MatchPair.objects.bulk_update(changed, ["kind", "status", "method", "match_weight",
                                                    "probability", "evidence", "updated_at"])
    return done


# --- batch run --------------------------------------------------------------------------------

Progress = Callable[[str, int], None]


def train(*, actor: User | None = None) -> dict[str, int]:
    """Train the person and company models on the profiles; the previous models are kept."""
    trained = {}
    for kind in (PERSON, COMPANY):
        rows = [p for p in Profile.objects.filter(kind=kind).values_list("features", flat=True)
                if usable(p)]
        settings = (linker.train(rows).get(kind) if rows else None) or (
            models_.default_settings(kind))
        saved = ResolutionModel.objects.create(kind=kind, settings=settings, trained_by=actor,
                                               records=len(rows))
        events.record(EventType.RESOLUTION_TRAINED, actor=actor, target=saved,
                      details={"kind": kind, "records": len(rows),
                               "trained": settings.get("trained_on", {}).get("trained", False)})
        trained[kind] = len(rows)
    return trained


def run_batch(*, actor: User | None = None, retrain: bool = False,
              progress: Progress | None = None) -> dict[str, Any]:
    """Re-link every object. Analysts' decisions stay; machine proposals are brought up to date."""
    def step(label: str, percent: int) -> None:
        if progress:
            progress(label, percent)

    step("profiles", 5)
    profiles = refresh_profiles()
    if retrain or not _models_fit():
        step("training", 20)
        train(actor=actor)
    step("linking", 40)
    proposals: dict[tuple[int, int], tuple[Pair, str]] = {}
    decided = {(p.left_id, p.right_id): p.status for p in MatchPair.objects.filter(
        status__in=DECIDED_STATUSES)}
    report: dict[str, Any] = {}
    for kind in (PERSON, COMPANY):
        rows = [p for p in Profile.objects.filter(kind=kind).values_list("features", flat=True)
                if usable(p)]
        if not rows:
            continue
        cannot = [(str(a), str(b)) for (a, b), s in decided.items() if s == PairStatus.NOT_SAME]
        result = link(rows, trained={kind: active_settings(kind)}, cannot_link=cannot)
        report[kind] = result.stats.get(kind, {})
        for pair in result.links:
            proposals[_ordered(pair)] = (pair, PairStatus.LINKED)
        for pair in result.review:
            proposals.setdefault(_ordered(pair), (pair, PairStatus.REVIEW))
    for pair in _identifier_pairs():
        proposals.setdefault(_ordered(pair), (pair, PairStatus.LINKED))
    step("saving", 80)
    changed = _save_proposals(proposals, decided)
    step("clusters", 90)
    clusters = recompute_all_clusters()
    report.update(changed=changed, clusters=clusters)
    after_bulk_work(profiles + len(proposals))  # profiles, keys and pairs were rewritten
    step("done", 100)
    return report


def _ordered(pair: Pair) -> tuple[int, int]:
    a, b = int(pair.left), int(pair.right)
    return (a, b) if a < b else (b, a)


def _identifier_pairs() -> list[Pair]:
    """Vessels, containers, vehicles, accounts, addresses: linked by a shared identifier."""
    groups: dict[str, list[int]] = defaultdict(list)
    other = Profile.objects.exclude(kind__in=RESOLVED_KINDS).values_list("object_id", "kind")
    kinds = dict(other)
    rows = BlockingKey.objects.filter(
        object_id__in=Profile.objects.exclude(kind__in=RESOLVED_KINDS).values("object_id"),
        key__startswith="i:").values_list("object_id", "key")
    for object_id, key in rows.iterator(chunk_size=10_000):
        groups[f"{kinds[object_id]}|{key}"].append(object_id)
    pairs = []
    for members in groups.values():
        if 2 <= len(members) <= MAX_BLOCK:
            ordered = sorted(members)
            pairs += [Pair(str(ordered[0]), str(m), 60.0, 1.0, True) for m in ordered[1:]]
    return pairs


def _evidence_of(pair: Pair, kind: str, profiles: dict[int, dict],
                 by_kind: dict[str, models_.Scorer]) -> list[dict[str, Any]]:
    left, right = profiles.get(int(pair.left)), profiles.get(int(pair.right))
    if left is None or right is None or kind not in (PERSON, COMPANY):
        return [{"comparison": "identifiers", "level": "an identifier shared", "weight": 0}]
    if kind not in by_kind:
        by_kind[kind] = scorer(kind)
    score = by_kind[kind].score(left, right)
    return [{"comparison": e.comparison, "level": e.level,
             "weight": round(e.weight, 2)} for e in score.evidence] + _rule_evidence(pair.rule)


def _rule_evidence(rule: str) -> list[dict[str, Any]]:
    """The linker's rule that linked a pair below the link weight, kept with its evidence."""
    return [{"comparison": "rule", "level": rule, "weight": 0}] if rule else []


def _save_proposals(proposals: dict[tuple[int, int], tuple[Pair, str]],
                    decided: dict[tuple[int, int], str]) -> int:
    existing = {(p.left_id, p.right_id): p for p in MatchPair.objects.exclude(
        status__in=DECIDED_STATUSES)}
    ids = sorted({i for key in proposals for i in key})
    profiles: dict[int, dict] = {}
    kinds: dict[int, str] = {}
    for start in range(0, len(ids), 10_000):  # databases limit the parameters of one query
        chunk = ids[start:start + 10_000]
        for object_id, kind, row in Profile.objects.filter(object_id__in=chunk).values_list(
                "object_id", "kind", "features"):
            profiles[object_id], kinds[object_id] = row, kind
    now = timezone.now()
    create, update = [], []
    by_kind: dict[str, models_.Scorer] = {}
    for key, (pair, status) in proposals.items():
        if key in decided:
            continue  # an analyst has spoken
        method = Method.IDENTIFIER if pair.deterministic else Method.MODEL
        current = existing.pop(key, None)
        if current is None:
            create.append(MatchPair(
                left_id=key[0], right_id=key[1], kind=kinds.get(key[0], ""), status=status,
                method=method, match_weight=round(pair.match_weight, 4),
                probability=pair.probability,
                evidence=_evidence_of(pair, kinds.get(key[0], ""), profiles, by_kind)))
        elif (current.status, current.method, round(current.match_weight, 4)) != (
                status, method, round(pair.match_weight, 4)):
            current.status, current.method = status, method
            current.match_weight = round(pair.match_weight, 4)
            current.probability = pair.probability
            current.evidence = _evidence_of(pair, current.kind, profiles, by_kind)
            current.updated_at = now
            update.append(current)
    stale = [p for p in existing.values() if p.status != PairStatus.DROPPED]
    for pair_row in stale:
        pair_row.status, pair_row.updated_at = PairStatus.DROPPED, now
    with transaction.atomic():
        MatchPair.objects.bulk_create(create, batch_size=CHUNK)
        MatchPair.objects.bulk_update(update + stale, ["status", "method", "match_weight",
                                                      "probability", "evidence", "updated_at"],
                                      batch_size=CHUNK)
    return len(create) + len(update) + len(stale)


# --- clusters ---------------------------------------------------------------------------------

def _components(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def recompute_all_clusters() -> int:
    edges = MatchPair.objects.filter(status__in=LINKING_STATUSES).values_list("left_id",
                                                                             "right_id")
    membership = _components(edges.iterator(chunk_size=10_000))
    with transaction.atomic():
        ClusterMembership.objects.all().delete()
        ClusterMembership.objects.bulk_create(
            [ClusterMembership(object_id=o, cluster=c) for o, c in membership.items()],
            batch_size=CHUNK)
    return len(set(membership.values()))


def _recompute_around(object_ids: Iterable[int]) -> None:
    """Recompute the clusters touching these objects (before and after a change)."""
    # In SQL (``core.hot``): this runs for every signal and import chunk that links a pair.
    clusters, pairs = ClusterMembership._meta.db_table, MatchPair._meta.db_table
    frontier = same_entity(object_ids)
    seen: set[int] = set()
    edges: set[tuple[int, int]] = set()
    while frontier:
        seen |= frontier
        # One indexed lookup per side, as one statement (``UNION ALL``): an OR over both
        # columns makes SQLite scan the pairs table — 250 ms at 300,000 pairs. The status is
        # checked here, not in SQL: without statistics SQLite would take the status index
        # and read every linked pair.
        ordered = sorted(frontier)
        found = set()
        for start in range(0, len(ordered), CHUNK):
            part = ordered[start:start + CHUNK]
            marks = hot.marks(len(part))
            found |= {(left, right) for left, right, status in hot.rows(
                " UNION ALL ".join(
                    f'SELECT "left_id", "right_id", "status" FROM "{pairs}" '  # noqa: S608
                    f'WHERE "{side}" IN ({marks})' for side in ("left_id", "right_id")),
                part * 2) if status in LINKING_STATUSES}
        edges |= found
        frontier = {i for pair in found for i in pair} - seen
    membership = _components(edges)
    with transaction.atomic(savepoint=False):
        ordered = sorted(seen)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start:start + CHUNK]
            with connection.cursor() as cursor:
                cursor.execute(f'DELETE FROM "{clusters}" '  # noqa: S608
                               f'WHERE "object_id" IN ({hot.marks(len(chunk))})', chunk)
        # Replacing on conflict: two intakes on PostgreSQL may recompute one cluster side by
        # side; the second, not seeing the rows the first wrote (committed after its delete
        # began), failed on them. Each writes the cluster as its pairs make it — the smallest
        # object id of the component, the same in both unless one of them merged two
        # clusters; ``havenbeeld resolve`` recomputes all of them.
        hot.insert_values(ClusterMembership, ("object_id", "cluster"),
                          list(membership.items()), replace_on="object_id")


def same_entity(object_ids: Iterable[int]) -> set[int]:
    """The objects and every other record in their clusters, in one statement."""
    found = set(object_ids)
    return found | set(entity_clusters(found))


def entity_clusters(object_ids: Iterable[int]) -> dict[int, int]:
    """The cluster of every record in the clusters of these objects (the objects' own
    included; an object in no cluster is not there), in one statement (``core.hot``: it runs
    for every signal — its correlation and its watchers read the same answer)."""
    found = sorted(set(object_ids))
    if not found:
        return {}
    table = ClusterMembership._meta.db_table
    return dict(hot.rows(
        f'SELECT "object_id", "cluster" FROM "{table}" WHERE "cluster" IN '  # noqa: S608
        f'(SELECT "cluster" FROM "{table}" WHERE "object_id" IN ({hot.marks(len(found))}))',
        found))


def cluster_count() -> int:
    return ClusterMembership.objects.values("cluster").distinct().count()


def cluster_members(object_id: int) -> list[int]:
    """The objects in the same cluster, this one included, lowest id first."""
    membership = ClusterMembership.objects.filter(object_id=object_id).first()
    if membership is None:
        return [object_id]
    return list(ClusterMembership.objects.filter(cluster=membership.cluster).order_by(
        "object_id").values_list("object_id", flat=True))


# --- analysts' decisions ------------------------------------------------------------------------

_STATUS_OF = {Verdict.SAME: PairStatus.SAME, Verdict.NOT_SAME: PairStatus.NOT_SAME,
              Verdict.UNSURE: PairStatus.UNSURE}


def decide(*, actor: User, pair: MatchPair, verdict: str, reason: str) -> Decision:
    if verdict not in _STATUS_OF:
        raise ResolutionError(_("Choose: the same, not the same or unsure."))
    reason = (reason or "").strip()
    if not reason:
        raise ResolutionError(_("Say why: the reason is kept with the decision."))
    with transaction.atomic():
        pair = MatchPair.objects.select_for_update().get(pk=pair.pk)
        decision = Decision.objects.create(
            pair=pair, verdict=verdict, reason=reason[:2000], status_before=pair.status,
            status_after=_STATUS_OF[Verdict(verdict)], decided_by=actor)
        pair.status = decision.status_after
        pair.updated_at = timezone.now()
        pair.save(update_fields=["status", "updated_at"])
        _recompute_around([pair.left_id, pair.right_id])
        events.record(EventType.RESOLUTION_DECIDED, actor=actor, target=pair,
                      details={"verdict": verdict, "left": pair.left_id,
                               "right": pair.right_id, "reason": reason[:300]})
    return decision


def undo(*, actor: User, decision: Decision) -> Decision:
    """Put the pair back as it was before the decision; the decision stays, marked undone."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        pair = MatchPair.objects.select_for_update().get(pk=decision.pair_id)
        latest = pair.decisions.filter(undone=False).exclude(verdict=Verdict.UNDO).first()
        if decision.undone or latest is None or latest.pk != decision.pk:
            raise ResolutionError(_("Only the latest decision on a pair can be undone."))
        decision.undone = True
        decision.save(update_fields=["undone"])
        undo_row = Decision.objects.create(
            pair=pair, verdict=Verdict.UNDO, reason=_("Undone: %(reason)s") % {
                "reason": decision.reason[:1900]},
            status_before=pair.status, status_after=decision.status_before, decided_by=actor)
        pair.status = decision.status_before
        pair.updated_at = timezone.now()
        pair.save(update_fields=["status", "updated_at"])
        _recompute_around([pair.left_id, pair.right_id])
        events.record(EventType.RESOLUTION_DECIDED, actor=actor, target=pair,
                      details={"verdict": "undo", "decision": decision.pk})
    return undo_row


def split(*, actor: User, object_id: int, reason: str,
          among: QuerySet[MatchPair] | None = None) -> list[Decision]:
    """Take an object out of its cluster: every link it has (among ``among``, the pairs the
    actor may judge — both sides visible to them) becomes 'not the same'."""
    pairs = list((MatchPair.objects.all() if among is None else among).filter(
        status__in=LINKING_STATUSES).filter(Q(left_id=object_id) | Q(right_id=object_id)))
    if not pairs:
        raise ResolutionError(_("This object is not linked to anything."))
    with transaction.atomic():
        return [decide(actor=actor, pair=p, verdict=Verdict.NOT_SAME, reason=reason)
                for p in pairs]


def start_run(*, actor: User | None, retrain: bool) -> ResolutionRun:
    """Queue a batch run as a background task (the page shows its progress)."""
    from havenbeeld.resolution.tasks import run_resolution_task

    run = ResolutionRun.objects.create(started_by=actor, retrain=retrain)
    transaction.on_commit(lambda: run_resolution_task.enqueue(run.pk))
    if actor is not None:
        events.record(EventType.RESOLUTION_RUN, actor=actor, target=run,
                      details={"retrain": retrain})
    return run


def execute_run(run_id: int) -> ResolutionRun:
    run = ResolutionRun.objects.get(pk=run_id)
    ResolutionRun.objects.filter(pk=run_id).update(state=ResolutionRun.State.RUNNING)

    def progress(label: str, percent: int) -> None:
        ResolutionRun.objects.filter(pk=run_id).update(step=label, progress=percent)

    try:
        report = run_batch(actor=run.started_by, retrain=run.retrain, progress=progress)
    except Exception as error:
        ResolutionRun.objects.filter(pk=run_id).update(
            state=ResolutionRun.State.FAILED, finished_at=timezone.now(),
            report={"error": str(error)[:500]})
        raise
    ResolutionRun.objects.filter(pk=run_id).update(
        state=ResolutionRun.State.DONE, finished_at=timezone.now(), report=report, progress=100)
    run.refresh_from_db()
    return run
