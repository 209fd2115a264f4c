"""Search over names and identifiers, limited to what the viewer may see.

A query that reads as an identifier in any scheme (in any common spelling) is looked up by its
canonical value; it is also matched on name keys: every word of the query must start a word of
the name (legal forms, accents, case and word order do not matter). If that finds nothing, a
word no name starts with is replaced by the indexed words that look like it (rapidfuzz), and the
names found so are ranked by similarity, so that a misspelt name is still found. Hits, labels
and counts come only from pieces visible to the viewer.

At scale (1,000,000 objects) every name query reads candidate piece ids from the token index
alone — the tokens of the word with the fewest, each checked for the other words on the (piece,
token) index — and only then applies the visibility filter to those ids, in batches.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from rapidfuzz import fuzz, process

from havenbeeld.accounts.models import User
from havenbeeld.places.geo import PORT_POSTCODES
from havenbeeld.registry import identifiers
from havenbeeld.registry.models import NameToken, Piece, Property, RegistryObject
from havenbeeld.registry.names import name_key
from havenbeeld.registry.picture import label_of
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.sharing.visibility import sees_real_contributor

NAME_PROPERTIES = (Property.NAME, Property.TRADE_NAME)
MAX_RESULTS = 50
# Exact name search reads candidate ids from the token index in these batches (the last one
# repeated while a narrow filter leaves fewer than MAX_RESULTS visible).
EXACT_BATCHES = (500, 4500)
COUNT_CAP = 20000  # how far a word's token range is counted to find the rarest word
# Misspelt names: tokens within this rapidfuzz ratio of a word no name starts with, read from
# prefix ranges of at most SCAN_CAP tokens, at most SIMILAR_TOKENS of them.
WORD_SIMILARITY = 80
SCAN_CAP = 30000
SIMILAR_TOKENS = 20
FUZZY_CANDIDATES = 2000
FUZZY_THRESHOLD = 75


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


@dataclass(frozen=True)
class _Word:
    """What one word of the query asks of a name's tokens: one starting with ``prefix``, or,
    for a misspelt word, one of ``tokens`` (those that look like it)."""

    prefix: str
    tokens: frozenset[str] = frozenset()

    def condition(self) -> Q:
        return Q(token__in=self.tokens) if self.tokens else _token_range(self.prefix)

    def per_piece(self) -> Q:
        """The condition on ``token_as_text`` (see ``_tokens_of_pieces_with``)."""
        if self.tokens:
            return Q(token_as_text__in=self.tokens)
        return Q(token_as_text__gte=self.prefix, token_as_text__lt=self.prefix + "\uffff")

    def count(self, cap: int = COUNT_CAP) -> int:
        """Tokens meeting the word, counted no further than ``cap`` (an index range walk
        that stops early, so a common word costs no more than a rare one)."""
        return NameToken.objects.filter(self.condition()).values("piece_id")[:cap].count()


def _tokens_of_pieces_with(words: list[_Word], counts: list[int]) -> QuerySet[NameToken]:
    """Tokens of the word with the fewest (by ``counts``) whose piece has a token for each
    other word. The other words are checked per piece, on the token as an expression, so the
    only index the database can use for them is (piece, token) by piece: a few entries per
    candidate. Prefix ranges of text are estimated badly (PostgreSQL took one for a single row
    and, on the token index, rescanned a word's range for every candidate: seconds); this way
    the cost stays proportional to the rarest word's tokens whatever the estimate."""
    rarest = min(range(len(words)), key=counts.__getitem__)
    tokens = NameToken.objects.filter(words[rarest].condition())
    for i, word in enumerate(words):
        if i != rarest:
            tokens = tokens.filter(Exists(
                NameToken.objects.alias(token_as_text=Concat("token", Value("")))
                .filter(word.per_piece(), piece_id=OuterRef("piece_id"))))
    return tokens


def _piece_ids(words: list[_Word], counts: list[int], offset: int, limit: int
               ) -> tuple[list[int], bool]:
    """Ids of name pieces having a token for each word, read from the token index only (the
    piece table is not touched), ``limit`` from ``offset``; and whether they ran out."""
    rows = list(_tokens_of_pieces_with(words, counts).values_list(
        "piece_id", flat=True)[offset:offset + limit])
    return list(dict.fromkeys(rows)), len(rows) < limit  # a piece can match twice


def _current_names(visible: QuerySet[Piece]) -> QuerySet[Piece]:
    return visible.filter(property__in=NAME_PROPERTIES, retracts=False,
                          corrections__isnull=True)


def _matching_names(visible: QuerySet[Piece], words: list[_Word], counts: list[int],
                    limit: int) -> list[Piece]:
    """Up to ``limit`` current name pieces the viewer may see among those having a token for
    each word. Candidate ids come from the token index in batches (the first small: most
    searches end there); the visibility filter, with the search's filters, is applied to each
    batch in the database, until ``limit`` are found or the candidates run out — so a narrow
    filter over a broad word still finds everything."""
    found: list[Piece] = []
    seen: set[int] = set()
    offset = 0
    for size in itertools.chain(EXACT_BATCHES, itertools.repeat(EXACT_BATCHES[-1])):
        ids, exhausted = _piece_ids(words, counts, offset, size)
        ids = [pk for pk in ids if pk not in seen]
        offset += size
        seen.update(ids)
        if ids:
            found += _current_names(visible).filter(pk__in=ids).select_related("object")[
                :limit - len(found)]
        if len(found) >= limit or exhausted:
            return found
    raise AssertionError("unreachable")  # pragma: no cover


def _similar_tokens(word: str) -> frozenset[str]:
    """Tokens of the index that look like ``word`` with a typing error: the distinct tokens
    of the prefix range of its first two letters (and of the first two once the second and
    third are swapped back: a swap or an extra letter there), narrowed to three or four letters
    where a range is very common, compared with rapidfuzz."""
    readings = [word] + ([word[0] + word[2] + word[1] + word[3:]] if len(word) > 3 else [])
    prefixes = set()
    for reading in readings:
        length = 2
        while length < min(4, len(reading)) and _Word(reading[:length]).count(
                SCAN_CAP) >= SCAN_CAP:
            length += 1
        prefixes.add(reading[:length])
    vocabulary: set[str] = set()
    for prefix in prefixes:
        vocabulary.update(NameToken.objects.filter(_token_range(prefix))
                          .values_list("token", flat=True).distinct()[:SCAN_CAP])
    similar = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=WORD_SIMILARITY,
                              limit=SIMILAR_TOKENS)
    return frozenset(token for token, _score, _index in similar)


def _by_name(visible: QuerySet[Piece], query: str, *, misspelt: bool = True
             ) -> list[tuple[Piece, int]]:
    key = name_key(query)
    words = [_Word(w) for w in dict.fromkeys(w[:64] for w in key.split())][:8]
    if not words:
        return []
    counts = [word.count() for word in words]
    if all(counts):
        exact = _matching_names(visible, words, counts, MAX_RESULTS)
        if exact or not misspelt:
            return [(piece, 100) for piece in exact]
    if not misspelt:
        return []
    # Misspelt: a word no name starts with (or, if every word starts some name, the longest)
    # is replaced by the tokens that look like it; candidates are ranked by similarity.
    unknown = [i for i, count in enumerate(counts) if not count] or [
        max(range(len(words)), key=lambda i: len(words[i].prefix))]
    for i in unknown:
        similar = _similar_tokens(words[i].prefix)
        if not similar:
            return []
        words[i] = _Word(words[i].prefix, similar)
        counts[i] = words[i].count()
    # Scored on (id, key) pairs of the visible candidates; only the best become objects.
    candidates = _current_names(visible).filter(
        pk__in=_piece_ids(words, counts, 0, FUZZY_CANDIDATES)[0])
    scores: dict[int, int] = {}
    for pk, value_key in candidates.values_list("pk", "value_normalised"):
        score = int(fuzz.token_sort_ratio(key, value_key))
        if score >= FUZZY_THRESHOLD:
            scores[pk] = score
    best = sorted(scores, key=lambda pk: -scores[pk])[:MAX_RESULTS]
    pieces = _current_names(visible).filter(pk__in=best).select_related("object")
    return sorted(((piece, scores[piece.pk]) for piece in pieces), key=lambda item: -item[1])


@dataclass(frozen=True)
class Filters:
    """Narrow a search: kind of object; only what one organisation told; only what was
    observed in a period; only objects with an address in a port's postcode area."""

    kind: str | None = None
    organisation_id: int | None = None
    observed_from: dt.date | None = None
    observed_until: dt.date | None = None
    port: str | None = None


def _in_port(visible: QuerySet[Piece], port: str) -> Exists:
    """The piece's object has a visible postcode in the port's postcode area (checked per
    candidate on the (object, property) index)."""
    ranges = PORT_POSTCODES.get(port, ())
    condition = Q(pk__in=[])
    for first, last in ranges:
        condition |= Q(value_normalised__gte=f"{first:04d}",
                       value_normalised__lt=f"{last + 1:04d}")
    return Exists(visible.filter(condition, property=Property.POSTCODE,
                                 object_id=OuterRef("object_id")))


@contextmanager
def _serial_plans() -> Iterator[None]:
    """On PostgreSQL, plan the search's queries without parallel workers. Its queries are small
    index walks; with prefix ranges estimated as larger than the LIMIT needs, the planner chose
    a parallel bitmap heap scan of the token table (the heap read instead of the covering
    index, workers started on a machine of two cores): 40-100 ms where the serial index-only
    plan takes 25 ms at 1,000,000 objects. ``SET LOCAL`` lasts to the end of the transaction;
    it is set back at the end for a caller's transaction that goes on."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield  # on an error, leaving the atomic block rolls the setting back with the rest
        cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")


def search(viewer: User, query: str, *, kind: str | None = None,
           filters: Filters | None = None) -> list[Hit]:
    query = (query or "").strip()[:200]
    if not query:
        return []
    with _serial_plans():
        return _search(viewer, query, filters or Filters(kind=kind))


def _search(viewer: User, query: str, filters: Filters) -> list[Hit]:
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
        visible = visible.filter(_in_port(everything_visible, filters.port))
    by_identifier = _by_identifier(visible, query)
    # A misspelt name is looked for only when nothing else was found.
    matches = by_identifier + _by_name(visible, query, misspelt=not by_identifier)
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
