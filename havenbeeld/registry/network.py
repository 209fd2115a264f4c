"""The network around an object, one or two steps out, as far as the viewer may see it.

An edge exists only where its relation piece is visible to the viewer (DESIGN.md §7). A node is
labelled from the viewer's visible pieces of that object; failing those, with the label the
relation piece itself carries, and otherwise only with its kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from havenbeeld.accounts.models import User
from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject
from havenbeeld.registry.picture import label_of
from havenbeeld.registry.selectors import pieces_visible_to

MAX_NODES = 150


@dataclass
class Network:
    nodes: dict[int, dict] = field(default_factory=dict)
    edges: dict[int, dict] = field(default_factory=dict)
    truncated: bool = False

    def as_json(self) -> dict:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values()),
                "truncated": self.truncated}


def build_network(viewer: User, obj: RegistryObject, depth: int = 2) -> Network:
    depth = max(1, min(depth, 2))
    visible = pieces_visible_to(viewer)
    network = Network()
    carried: dict[int, str] = {}
    kinds: dict[int, str] = {obj.pk: obj.kind}
    frontier = {obj.pk}
    seen = {obj.pk}
    for _step in range(depth):
        relations = (visible.filter(property=Property.RELATION, retracts=False)
                     .filter(Q(object_id__in=frontier) | Q(target_id__in=frontier))
                     .select_related("object", "target")[:MAX_NODES * 4])
        corrected = set(visible.filter(corrects__in=[r.pk for r in relations])
                        .values_list("corrects_id", flat=True))
        next_frontier = set()
        for piece in relations:
            if piece.pk in corrected or piece.pk in network.edges:
                continue
            for end in (piece.object, piece.target):
                kinds[end.pk] = end.kind
                if end.pk not in seen:
                    if len(seen) >= MAX_NODES:
                        network.truncated = True
                        continue
                    seen.add(end.pk)
                    next_frontier.add(end.pk)
            if piece.object_id in seen and piece.target_id in seen:
                carried.setdefault(piece.target_id, piece.value)
                network.edges[piece.pk] = {
                    "id": f"e{piece.pk}", "source": piece.object_id, "target": piece.target_id,
                    "label": piece.get_relation_display(),
                    "organisation": piece.organisation_id,
                }
        frontier = next_frontier
        if not frontier:
            break
    labels: dict[int, list[Piece]] = {}
    for piece in visible.filter(object_id__in=seen, retracts=False,
                                property__in=(Property.NAME, Property.TRADE_NAME,
                                              Property.IDENTIFIER)):
        labels.setdefault(piece.object_id, []).append(piece)
    for pk in seen:
        stub = RegistryObject(pk=pk, kind=kinds[pk])
        label = label_of(stub, labels[pk]) if pk in labels else carried.get(pk) or \
            f"{ObjectKind(kinds[pk]).label} #{pk}"
        network.nodes[pk] = {"id": pk, "label": label, "kind": kinds[pk],
                             "kind_label": str(ObjectKind(kinds[pk]).label),
                             "focus": pk == obj.pk}
    return network
