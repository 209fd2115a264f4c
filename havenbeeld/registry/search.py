"""Search over names and identifiers, limited to what the viewer may see.

A query that reads as an identifier in any scheme (in any common spelling) is looked up by its
canonical value; otherwise it is matched on name keys: every word of the query must start a word
of the name (legal forms, accents, case and word order do not matter). If that finds nothing,
names sharing a word prefix are ranked by rapidfuzz similarity so that a misspelt name is still
found. Hits, labels and counts come only from pieces visible to the viewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rapidfuzz import fuzz

from havenbeeld.accounts.models import User
from havenbeeld.places.geo import PORT_POSTCODES
from havenbeeld.registry import identifiers
from havenbeeld.registry.models import NameToken, Piece, Property, RegistryObject
from havenbeeld.registry.names import name_key
from havenbeeld.registry.picture import label_of
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.sharing.visibility import sees_real_contributor

NAME_PROPERTIES = (Property.NAME, Property.TRADE_NAME)
FUZZY_THRESHOLD = 75
FUZZY_CANDIDATES = 3000
MAX_RESULTS = 50


@dataclass(frozen=True)
class Hit:
    object: RegistryObject
    label: str
    matched: str  # the visible value that matched
    score: int  # 100 for exact identifier or name-key matches


def identifier_readings(query: str) -> list[identifiers.Identifier]:
    """Every scheme the query is a valid identifier in."""
    readings = []
    for scheme in identifiers.Scheme:
        try:
            readings.append(identifiers.normalise(scheme, query))
        except identifiers.InvalidIdentifier:
            continue
    return readings


def _by_identifier(visible: QuerySet[Piece], query: str) -> list[tuple[Piece, int]]:
    readings = identifier_readings(query)
    if not readings:
        return []
    condition = Q()
    for reading in readings:
        condition |= Q(scheme=reading.scheme, value_normalised=reading.value)
    pieces = visible.filter(condition, property=Property.IDENTIFIER, retracts=False,
                            corrections__isnull=True)
    return [(p, 100) for p in pieces.select_related("object")[:MAX_RESULTS]]


def _token_range(word: str) -> Q:
    """Tokens starting with ``word``, as an index range (works the same on every database)."""
    return Q(token__gte=word, token__lt=word + "\uffff")


def _pieces_with_tokens(visible: QuerySet[Piece], words: list[str]) -> QuerySet[Piece]:
    """Current name pieces, visible to the viewer, having a token starting with each word."""
    pieces = visible.filter(property__in=NAME_PROPERTIES, retracts=False,
                            corrections__isnull=True)
    for word in words:
        pieces = pieces.filter(pk__in=NameToken.objects.filter(_token_range(word))
                               .values("piece_id"))
    return pieces


def _by_name(visible: QuerySet[Piece], query: str) -> list[tuple[Piece, int]]:
    key = name_key(query)
    words = [w[:64] for w in key.split()][:8]
    if not words:
        return []
    exact = _pieces_with_tokens(visible, words).select_related("object")[:MAX_RESULTS]
    found = [(p, 100) for p in exact]
    if found:
        return found
    # Misspelt: candidates share the first three letters of some word; rank by similarity.
    stems = Q()
    for word in words:
        stems |= _token_range(word[:3])
    candidate_ids = NameToken.objects.filter(stems).values("piece_id")[:FUZZY_CANDIDATES]
    candidates = visible.filter(pk__in=candidate_ids, property__in=NAME_PROPERTIES,
                                retracts=False, corrections__isnull=True)
    scored = []
    for piece in candidates.select_related("object"):
        score = int(fuzz.token_sort_ratio(key, piece.value_normalised))
        if score >= FUZZY_THRESHOLD:
            scored.append((piece, score))
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:MAX_RESULTS]


@dataclass(frozen=True)
class Filters:
    """Narrow a search: kind of object; only what one organisation told; only what was
    observed in a period; only objects with an address in a port's postcode area."""

    kind: str | None = None
    organisation_id: int | None = None
    observed_from: dt.date | None = None
    observed_until: dt.date | None = None
    port: str | None = None


def _port_objects(visible: QuerySet[Piece], port: str) -> QuerySet[Piece]:
    ranges = PORT_POSTCODES.get(port, ())
    condition = Q(pk__in=[])
    for first, last in ranges:
        condition |= Q(value_normalised__gte=f"{first:04d}",
                       value_normalised__lt=f"{last + 1:04d}")
    return visible.filter(condition, property=Property.POSTCODE).values("object_id")


def search(viewer: User, query: str, *, kind: str | None = None,
           filters: Filters | None = None) -> list[Hit]:
    query = (query or "").strip()[:200]
    if not query:
        return []
    filters = filters or Filters(kind=kind)
    everything_visible = pieces_visible_to(viewer)
    visible = everything_visible
    if filters.kind:
        visible = visible.filter(object__kind=filters.kind)
    if filters.organisation_id:
        visible = visible.filter(organisation_id=filters.organisation_id)
        if not sees_real_contributor(viewer, filters.organisation_id):
            # A pseudonymous contribution must not be found by its contributor's name.
            visible = visible.filter(pseudonymous_in="")
    if filters.observed_from:
        visible = visible.filter(observed_at__date__gte=filters.observed_from)
    if filters.observed_until:
        visible = visible.filter(observed_at__date__lte=filters.observed_until)
    if filters.port:
        visible = visible.filter(object_id__in=_port_objects(everything_visible, filters.port))
    matches = _by_identifier(visible, query) + _by_name(visible, query)
    best: dict[int, tuple[Piece, int]] = {}
    for piece, score in matches:
        if piece.object_id not in best or score > best[piece.object_id][1]:
            best[piece.object_id] = (piece, score)
    # Labels from what the viewer may see of each hit, in one query.
    labels: dict[int, list[Piece]] = {}
    label_pieces = everything_visible.filter(retracts=False, corrections__isnull=True).filter(
        object_id__in=best, property__in=(*NAME_PROPERTIES, Property.IDENTIFIER))
    for piece in label_pieces:
        labels.setdefault(piece.object_id, []).append(piece)
    hits = [Hit(piece.object, label_of(piece.object, labels.get(object_id, [])), piece.value,
                score) for object_id, (piece, score) in best.items()]
    hits.sort(key=lambda h: (-h.score, h.label))
    return hits
