"""Correlation: a new signal is linked to other signals and pieces about the same objects.

As MISP correlates attributes, a signal correlates on
- an identifier, address key or vehicle registration one of its pieces shares with another
  piece (of another object, or an earlier piece on the same object),
- a company name key shared with another company (exact, after normalisation),
- the same entity: objects resolution put in one cluster with the signal's objects.
Values too common to mean anything (``CommonValue``: a terminal's own address, "Holding B.V.")
do not correlate; a value held by more than ``COMMON_AFTER`` objects (among the newest
``_FETCH`` pieces stating it) is added to that list automatically, where administrators see it.

What a signal writes is bounded, however often its objects were reported before: per value
the newest ``PER_VALUE`` pieces, per object the newest ``PER_ENTITY`` on the other records of
its entity — a long benchmark run showed intake slowing down as they grew otherwise.

A correlation row names the other piece; whoever reads it sees it only when they may see that
piece (``visible_correlations``). When the other piece came with a signal, the row is written
both ways, so each signal lists the other — and both reporters learn only *that* their signal
was linked (``Signal.correlated``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from havenbeeld.accounts.models import User
from havenbeeld.core import hot
from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject
from havenbeeld.registry.names import name_key
from havenbeeld.resolution.services import entity_clusters
from havenbeeld.sharing.visibility import piece_filter
from havenbeeld.signals.models import Basis, CommonValue, Correlation, Signal

COMMON_AFTER = 50  # objects holding one value before it counts as common
PER_VALUE = 20  # newest pieces kept per correlating value
PER_OBJECT = 10  # newest pieces kept per other record of the same entity ...
PER_ENTITY = 20  # ... and over all those records, per object of the signal
MAX_MEMBERS = 100  # other records of one entity looked at: the newest
_FETCH = 200  # holders of a value read at once: enough to tell whether it is common
MAX_TERMS = 400  # SELECTs in one UNION ALL (SQLite allows 500)
MAX_PARAMETERS = 30_000  # per statement (SQLite allows 32,766, PostgreSQL 65,535)
_Other = tuple[int, int, dt.datetime]  # another piece: (id, object id, recorded at)
Match = tuple[Piece, _Other, str, str]  # own piece, other piece, basis, value shown
CORRELATING_SCHEMES = {"kvk", "vestiging", "rsin", "btw", "eori", "imo", "mmsi", "container",
                       "iban", "bsn", "address"}


def _listed(values: set[str]) -> dict[tuple[str, str, str], bool]:
    """(kind, scheme, value) → active, for the values on the common list (one query):
    active means it does not correlate; inactive, an administrator let it correlate."""
    if not values:
        return {}
    fields = ("kind", "scheme", "value_normalised", "active")
    rows = hot.rows(f'SELECT "kind", "scheme", "value_normalised", "active" '  # noqa: S608
                    f'FROM "{CommonValue._meta.db_table}" '
                    f'WHERE "value_normalised" IN ({hot.marks(len(values))})', sorted(values),
                    model=CommonValue, fields=fields)
    return {(kind, scheme, value): active for kind, scheme, value, active in rows}


def _list_as_common(kind: str, scheme: str, value: str, shown: str) -> None:
    CommonValue.objects.get_or_create(
        kind=kind, scheme=scheme, value_normalised=value,
        defaults={"value": shown[:255], "automatic": True,
                  "reason": f"held by more than {COMMON_AFTER} objects"})


def _first_holders(values: list[tuple[str, str, str, bool]], exclude: set[int],
                   newest: bool = False) -> list[list[_Other]]:
    """Per (property, scheme, value, companies only): up to ``_FETCH`` other pieces stating
    it — any, or with ``newest`` the newest — for a signal's values in one round trip as a
    rule, a UNION ALL of index range scans each stopped after ``_FETCH`` rows (SQL, not the
    ORM: see ``core.hot``). A signal with many values and pieces goes in several statements,
    each within SQLite's limits (``MAX_TERMS`` terms; parameters, as the own pieces repeat in
    every term)."""
    found: list[list[_Other]] = [[] for _value in values]
    if not values:
        return found
    table, objects = Piece._meta.db_table, RegistryObject._meta.db_table
    own = sorted(exclude)
    not_own = f' AND p."id" NOT IN ({hot.marks(len(own))})' if own else ""
    order = ' ORDER BY p."recorded_at" DESC, p."id" DESC' if newest else ""
    per_statement = max(1, min(MAX_TERMS, MAX_PARAMETERS // (4 + len(own))))
    for start in range(0, len(values), per_statement):
        parts, params = [], []
        for position in range(start, min(start + per_statement, len(values))):
            prop, scheme, value, companies = values[position]
            join = (f' INNER JOIN "{objects}" o ON o."id" = p."object_id" AND o."kind" = %s'
                    if companies else "")
            parts.append(
                f'SELECT * FROM (SELECT p."id", p."object_id", p."recorded_at", {position} AS "n" '  # noqa: S608
                f'FROM "{table}" p{join} WHERE p."property" = %s AND p."scheme" = %s '
                f'AND p."value_normalised" = %s AND NOT p."retracts"{not_own}{order} '
                f'LIMIT {_FETCH}) AS h{position}')
            params += ([ObjectKind.COMPANY] if companies else []) + [prop, scheme, value, *own]
        for pk, object_id, recorded_at, position in hot.rows(
                " UNION ALL ".join(parts), params, model=Piece,
                fields=("id", "object_id", "recorded_at")):
            found[position].append((pk, object_id, recorded_at))
    return found


def _holders(values: list[tuple[str, str, str, bool]], exclude: set[int]
             ) -> list[list[_Other]]:
    """Per value: all other pieces stating it, or — a value told ``_FETCH`` times or more —
    its newest ``_FETCH``, read again for those values alone, in one statement. That second
    read orders every piece stating the value: the one place where intake's work grows with
    how often a value was told, and only past ``_FETCH`` (the index has no date to read
    newest first; adding one doubled its size and slowed every import of pieces)."""
    found = _first_holders(values, exclude)
    many = [position for position, rows in enumerate(found) if len(rows) >= _FETCH]
    if many:
        again = _first_holders([values[position] for position in many], exclude, newest=True)
        for position, rows in zip(many, again, strict=True):
            found[position] = rows
    return found


def _recency(row: _Other) -> tuple[dt.datetime, int]:
    return row[2], row[0]


def _newest(rows: list[_Other], check_common: tuple[str, str, str, str] | None
            ) -> list[_Other]:
    """The newest ``PER_VALUE`` holders — none when the value proves too common: held by more
    than ``COMMON_AFTER`` objects among ``rows`` (``_holders``: all, or the newest
    ``_FETCH``)."""
    if check_common and len({row[1] for row in rows}) > COMMON_AFTER:
        _list_as_common(*check_common)
        return []
    return sorted(rows, key=_recency, reverse=True)[:PER_VALUE]


def _correlating(piece: Piece, kinds: dict[int, str]) -> tuple[str, str, str] | None:
    """(common-list kind, scheme, basis) when the piece's value correlates at all."""
    if piece.property == Property.IDENTIFIER and piece.scheme in CORRELATING_SCHEMES:
        return CommonValue.Kind.IDENTIFIER, piece.scheme, Basis.IDENTIFIER
    if piece.property == Property.REGISTRATION:
        return CommonValue.Kind.IDENTIFIER, "", Basis.IDENTIFIER
    if piece.property == Property.NAME and kinds.get(piece.object_id) == ObjectKind.COMPANY:
        return CommonValue.Kind.NAME, "", Basis.NAME
    return None


def prepare_values(own: list[Piece], kinds: dict[int, str]) -> list[Match]:
    """Shared identifiers and names: (own piece, other piece, basis, value shown) for every
    piece that states one of the signal's values.

    Intake reads these before the transaction that writes the correlations, and nothing is
    lost by that: the signal's pieces were committed before this read, so a signal recorded
    after it finds them itself and writes the correlation both ways."""
    own_ids = {p.pk for p in own}
    listed = _listed({p.value_normalised for p in own if p.value_normalised})
    wanted: list[tuple[Piece, str, str, str, bool | None]] = []
    for piece in own:
        correlating = _correlating(piece, kinds)
        if correlating is None:
            continue
        kind, scheme, basis = correlating
        value = piece.value_normalised
        on_list = listed.get((kind, scheme, value)) if value else True
        if not on_list:
            wanted.append((piece, kind, scheme, basis, on_list))
    first = _holders([(piece.property, piece.scheme, piece.value_normalised,
                       basis == Basis.NAME) for piece, _k, _s, basis, _l in wanted], own_ids)
    matches: list[Match] = []
    for (piece, kind, scheme, basis, on_list), rows in zip(wanted, first, strict=True):
        check = (kind, scheme, piece.value_normalised, piece.value) if on_list is None else None
        for other in _newest(rows, check):
            matches.append((piece, other, basis, piece.value))
    return matches


def _entity_matches(own: list[Piece], objects: set[int],
                    clusters: dict[int, int] | None = None) -> list[Match]:
    """Pieces on the other records of the same entity (resolution clusters): per object of the
    signal, the newest ``PER_ENTITY`` of them (at most ``PER_OBJECT`` of one record), from the
    newest ``MAX_MEMBERS`` records. So a person reported again and again without an identifier
    — a new record each time, which resolution adds to the entity — links a new signal to the
    latest reports about them, not to every piece of every record (a page of thousands of
    rows, and a signal's correlation growing with the entity). ``clusters``:
    ``resolution.services.entity_clusters(objects)``, when the caller read it."""
    if not objects:
        return []
    if clusters is None:
        clusters = entity_clusters(objects)
    ours_in = {cluster: object_id for object_id, cluster in clusters.items()
               if object_id in objects}
    if not ours_in:
        return []
    first_own: dict[int, Piece] = {}
    for piece in own:
        first_own.setdefault(piece.object_id, piece)
    members: dict[int, int] = {}  # other record → the signal's object of the same entity
    taken: Counter[int] = Counter()
    for object_id in sorted(clusters, reverse=True):  # the newest records first
        cluster = clusters[object_id]
        ours = ours_in.get(cluster)
        if (ours is None or object_id in objects or ours not in first_own
                or taken[cluster] >= MAX_MEMBERS):
            continue
        members[object_id] = ours
        taken[cluster] += 1
    if not members:
        return []
    by_object: dict[int, list[_Other]] = defaultdict(list)
    others = sorted(members)
    for row in hot.rows(
            f'SELECT "id", "object_id", "recorded_at" FROM "{Piece._meta.db_table}" '  # noqa: S608
            f'WHERE "object_id" IN ({hot.marks(len(others))}) AND NOT "retracts" '
            'AND "property" != %s', [*others, Property.RELATION],
            model=Piece, fields=("id", "object_id", "recorded_at")):
        by_object[row[1]].append(row)
    per_own: dict[int, list[_Other]] = defaultdict(list)
    for other_object, rows in by_object.items():
        per_own[members[other_object]] += sorted(rows, key=_recency, reverse=True)[:PER_OBJECT]
    matches = []
    for ours, rows in per_own.items():
        anchor = first_own[ours]
        rows.sort(key=_recency, reverse=True)
        matches += [(anchor, row, Basis.ENTITY, "") for row in rows[:PER_ENTITY]]
    return matches


COLUMNS = ("signal_id", "via_id", "piece_id", "other_signal_id", "basis", "value", "created_at")


def correlate(signal: Signal, pieces: list[Piece] | None = None,
              kinds: dict[int, str] | None = None, values: list[Match] | None = None,
              clusters: dict[int, int] | None = None) -> int:
    """Record the signal's correlations; returns how many other pieces it touches.
    ``pieces`` and ``kinds`` (object → kind) are the signal's own, when the caller has them;
    ``values``, their value matches, when the caller read them (``prepare_values``);
    ``clusters``, ``entity_clusters`` of the signal's objects, when the caller read it."""
    own = list(signal.pieces.all()) if pieces is None else pieces
    if kinds is None:
        kinds = dict(signal.entries.values_list("object_id", "object__kind"))
    objects = {p.object_id for p in own} | set(kinds)
    if values is None:
        values = prepare_values(own, kinds)
    matches = values + _entity_matches(own, objects, clusters)
    if not matches:
        return 0
    seen: set[int] = set()
    told = sorted({other[0] for _own, other, _b, _v in matches})
    other_signals = dict(hot.rows(
        f'SELECT "piece_id", "signal_id" FROM "{Signal.pieces.through._meta.db_table}" '  # noqa: S608
        f'WHERE "piece_id" IN ({hot.marks(len(told))}) AND "signal_id" != %s',
        [*told, signal.pk]))
    # Rows of plain values (``core.hot``): a signal makes a dozen or more correlations, and an
    # instance each cost more than writing it.
    now = hot.value(Correlation, "created_at", timezone.now())
    rows: list[tuple] = []  # as COLUMNS
    for own_piece, (other_pk, other_object, _at), basis, value in matches:
        if other_pk in seen:
            continue
        seen.add(other_pk)
        other_signal = other_signals.get(other_pk)
        rows.append((signal.pk, own_piece.object_id, other_pk, other_signal, str(basis),
                     value[:255], now))
        if other_signal is not None:
            rows.append((other_signal, other_object, own_piece.pk, signal.pk, str(basis),
                         value[:255], now))
    with transaction.atomic(savepoint=False):
        hot.insert_values(Correlation, COLUMNS, rows, ignore_conflicts=True)
        touched = sorted({signal.pk, *(row[0] for row in rows)})
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{Signal._meta.db_table}" SET "correlated" = %s '  # noqa: S608
                           f'WHERE "id" IN ({hot.marks(len(touched))}) AND NOT "correlated"',
                           [True, *touched])
    return len(seen)


def visible_correlations(user: User, signal: Signal) -> QuerySet[Correlation] | list:
    """The signal's correlations whose other piece ``user`` may see (prefetched by
    ``selectors.with_details`` for a list)."""
    if hasattr(signal, "shown_correlations"):
        return signal.shown_correlations
    return visible_correlations_query(user).filter(signal=signal)


def visible_correlations_query(user: User) -> QuerySet[Correlation]:
    """Correlations whose other piece ``user`` may see, with what is shown of them."""
    return (Correlation.objects.filter(piece_filter(user, "piece__"))
            .select_related("piece", "piece__organisation", "piece__object", "other_signal",
                            "via")
            .order_by("-piece__observed_at"))


def normalise_common(kind: str, scheme: str, value: str) -> str:
    """The normalised form of a value an administrator puts on the common list."""
    from havenbeeld.registry import identifiers

    if kind == CommonValue.Kind.NAME:
        return name_key(value)
    return identifiers.normalise(scheme, value).value
