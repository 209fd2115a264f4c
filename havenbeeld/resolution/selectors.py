"""What a viewer may see of resolution: pairs, evidence and clusters, through the picture.

Resolution itself runs on every piece (the platform must know that two records are one
company), but a viewer is shown a pair only when they see something of both objects, the
evidence is recomputed from the pieces *they* see, and a cluster lists only the members they
see — the rest is what hit/no-hit is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from havenbeeld.accounts.models import User
from havenbeeld.registry.models import Property, RegistryObject
from havenbeeld.registry.picture import LABEL_ORDER, label_of
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.resolution import services
from havenbeeld.resolution.features import COMPANY, PERSON, Record, features
from havenbeeld.resolution.linker import rare_name
from havenbeeld.resolution.model import Score
from havenbeeld.resolution.models import LINKING_STATUSES, MatchPair, PairStatus
from havenbeeld.sharing.visibility import contributor_label


def visible_object_ids(user: User, ids: set[int]) -> set[int]:
    return set(pieces_visible_to(user).filter(object_id__in=ids).values_list(
        "object_id", flat=True).distinct())


def pairs_visible_to(user: User) -> QuerySet[MatchPair]:
    seen = pieces_visible_to(user).values("object_id")
    return MatchPair.objects.filter(left_id__in=seen, right_id__in=seen)


def review_queue_for(user: User, kind: str = "", status: str = PairStatus.REVIEW
                     ) -> QuerySet[MatchPair]:
    """Pairs awaiting review (or, with ``status="unsure"``, those an analyst left unsure)."""
    queue = pairs_visible_to(user).filter(status=status)
    if kind:
        queue = queue.filter(kind=kind)
    return queue.order_by("-match_weight", "pk")


def labels_for(user: User, ids: set[int]) -> dict[int, str]:
    """The label each object has in the viewer's picture (as search and the network label)."""
    pieces: dict[int, list] = {}
    for piece in pieces_visible_to(user).filter(
            object_id__in=ids, property__in=LABEL_ORDER, retracts=False,
            corrections__isnull=True):
        pieces.setdefault(piece.object_id, []).append(piece)
    objects = RegistryObject.objects.in_bulk(ids)
    return {pk: label_of(obj, pieces.get(pk, [])) for pk, obj in objects.items()}


def evidence_for(user: User, pair: MatchPair) -> Score | None:
    """The model's evidence on the pieces this viewer sees of both objects."""
    if pair.kind not in (PERSON, COMPANY):
        return None
    rows = {object_id: features(record) for object_id, _kind, record in services.records_for(
        [pair.left_id, pair.right_id], pieces=pieces_visible_to(user))}
    if len(rows) != 2:
        return None
    return services.scorer(pair.kind).score(rows[pair.left_id], rows[pair.right_id])


@dataclass(frozen=True)
class Member:
    object_id: int
    label: str
    organisations: list[str]
    pair: MatchPair | None  # the link that joins it to the object shown, if direct


def cluster_for(user: User, obj: RegistryObject) -> list[Member]:
    """The other members of the object's cluster that the viewer sees, with who told them."""
    members = set(services.cluster_members(obj.pk)) - {obj.pk}
    if not members:
        return []
    visible = visible_object_ids(user, members)
    if not visible:
        return []
    labels = labels_for(user, visible)
    organisations: dict[int, set[str]] = {}
    for piece in pieces_visible_to(user).filter(object_id__in=visible).exclude(
            property=Property.RELATION).select_related("organisation").only(
            "object_id", "organisation", "pseudonymous_in"):
        organisations.setdefault(piece.object_id, set()).add(
            contributor_label(user, piece.organisation, piece.pseudonymous_in))
    direct = {}
    for pair in MatchPair.objects.filter(status__in=LINKING_STATUSES).filter(
            Q(left_id=obj.pk, right_id__in=visible) | Q(right_id=obj.pk, left_id__in=visible)):
        direct[pair.right_id if pair.left_id == obj.pk else pair.left_id] = pair
    return [Member(i, labels.get(i, str(i)), sorted(organisations.get(i, ())), direct.get(i))
            for i in sorted(visible)]


@dataclass(frozen=True)
class VisibleCandidate:
    object_id: int
    label: str
    probability: float
    match_weight: float
    outcome: str
    evidence: tuple


def candidates_for(user: User, record: Record, *, limit: int = 10) -> list[VisibleCandidate]:
    """Did you mean…? Objects the viewer sees that may be the record's entity.

    Candidates come from the platform-wide lookup, but only those the viewer sees are kept, and
    each is re-scored on the pieces the viewer sees — so neither the list nor a score reveals
    anything of a piece they may not see.
    """
    row = features(record)
    found = services.lookup(record, limit=50)
    visible = visible_object_ids(user, {c.object_id for c in found})
    if not visible:
        return []
    mine = {object_id: features(seen) for object_id, _kind, seen in services.records_for(
        sorted(visible), pieces=pieces_visible_to(user))}
    labels = labels_for(user, visible)
    scorer = services.scorer(row["entity_type"])
    results = []
    for candidate in found:
        other = mine.get(candidate.object_id)
        if other is None:
            continue
        score = scorer.score(row, other)
        # The rare-name rule's groups are the platform's; its pair part holds on what they see.
        rule = candidate.rule if candidate.rule and rare_name(
            row, other, (e.weight for e in score.evidence)) else ""
        as_seen = services.Candidate(candidate.object_id, score.match_weight, score.probability,
                                     score.evidence, services.shares_strong(row, other),
                                     row["entity_type"], rule)
        if as_seen.outcome == "new":
            continue
        results.append(VisibleCandidate(candidate.object_id, labels.get(candidate.object_id, ""),
                                        score.probability, score.match_weight, as_seen.outcome,
                                        tuple(e for e in score.evidence if e.level != "null")))
    results.sort(key=lambda c: (c.outcome != "link", -c.match_weight))
    return results[:limit]
