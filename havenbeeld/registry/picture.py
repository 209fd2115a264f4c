"""The picture of an object as one viewer may see it.

Built only from the pieces visible to that viewer. Values that disagree are kept side by side
with their sources; nothing is resolved silently. A piece corrected or retracted by a piece the
viewer can see is shown as superseded, not as a current value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from havenbeeld.accounts.models import User
from havenbeeld.registry.models import Piece, Property, RegistryObject
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.sharing.models import PieceGrant
from havenbeeld.sharing.visibility import contributor_label

LABEL_ORDER = (Property.NAME, Property.TRADE_NAME, Property.IDENTIFIER, Property.REGISTRATION,
               Property.STREET)


@dataclass
class Value:
    """One current value and every visible piece that states it."""

    value: str
    pieces: list[Piece]

    @property
    def organisations(self) -> list[str]:
        return sorted({p.contributor for p in self.pieces})


@dataclass
class Picture:
    object: RegistryObject
    label: str
    identifiers: list[Value]
    properties: dict[str, list[Value]]  # property code → values (conflicts side by side)
    relations: list[Piece]  # outgoing, visible relation pieces
    incoming: list[Piece]  # relations from other objects to this one, visible
    timeline: list[Piece]  # every visible piece, newest observation first
    superseded: set[int] = field(default_factory=set)  # ids of corrected/retracted pieces
    sources: list[str] = field(default_factory=list)

    @property
    def piece_count(self) -> int:
        return len(self.timeline)


def _values(pieces: list[Piece]) -> list[Value]:
    grouped: dict[str, list[Piece]] = defaultdict(list)
    shown: dict[str, str] = {}
    for piece in pieces:
        key = piece.scheme + ":" + (piece.value_normalised or piece.value.casefold())
        grouped[key].append(piece)
        shown.setdefault(key, piece.value)
    return [Value(shown[key], sorted(group, key=lambda p: p.observed_at, reverse=True))
            for key, group in grouped.items()]


def label_of(obj: RegistryObject, pieces: list[Piece]) -> str:
    for prop in LABEL_ORDER:
        candidates = [p for p in pieces if p.property == prop]
        if candidates:
            best = max(candidates, key=lambda p: p.observed_at)
            return best.value
    return str(obj)


def build_picture(viewer: User, obj: RegistryObject) -> Picture:
    visible = list(
        pieces_visible_to(viewer).filter(object=obj)
        .select_related("organisation", "legal_basis", "group", "target", "recorded_by")
        .order_by("-observed_at", "-id")
    )
    superseded = {p.corrects_id for p in visible if p.corrects_id}
    # Pieces the viewer sees because an information request granted them: that is their basis.
    grants = dict(PieceGrant.objects.filter(organisation_id=viewer.organisation_id,
                                            piece__object=obj)
                  .values_list("piece_id", "request_id"))
    for piece in visible:
        piece.granted_by_request = grants.get(piece.pk)
        piece.contributor = contributor_label(viewer, piece.organisation, piece.pseudonymous_in)
    current = [p for p in visible if p.pk not in superseded and not p.retracts]
    label = label_of(obj, current)
    by_property: dict[str, list[Piece]] = defaultdict(list)
    identifier_pieces = []
    relations = []
    for piece in current:
        if piece.property == Property.IDENTIFIER:
            identifier_pieces.append(piece)
        elif piece.property == Property.RELATION:
            relations.append(piece)
        elif piece.property != Property.NOTE:
            by_property[piece.property].append(piece)
    incoming = list(
        pieces_visible_to(viewer).filter(target=obj, property=Property.RELATION)
        .exclude(retracts=True)
        .select_related("organisation", "object")
        .order_by("-observed_at")
    )
    corrected_incoming = set(pieces_visible_to(viewer).filter(
        corrects__in=[p.pk for p in incoming]).values_list("corrects_id", flat=True))
    incoming = [p for p in incoming if p.pk not in corrected_incoming]
    # The far end of an incoming relation is named with what the viewer sees of it.
    far_pieces: dict[int, list[Piece]] = defaultdict(list)
    for piece in pieces_visible_to(viewer).filter(
            object_id__in={p.object_id for p in incoming}, retracts=False,
            property__in=LABEL_ORDER):
        far_pieces[piece.object_id].append(piece)
    for piece in incoming:
        piece.contributor = contributor_label(viewer, piece.organisation, piece.pseudonymous_in)
        piece.source_label = label_of(piece.object, far_pieces.get(piece.object_id, []))
    return Picture(
        object=obj,
        label=label,
        identifiers=_values(identifier_pieces),
        properties={prop: _values(by_property[prop]) for prop in Property
                    if prop in by_property},
        relations=relations,
        incoming=incoming,
        timeline=visible,
        superseded=superseded,
        sources=sorted({p.contributor for p in visible}),
    )
