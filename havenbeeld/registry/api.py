"""REST endpoints for objects, pieces and search — thin over selectors, picture and services."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from havenbeeld.accounts import policy
from havenbeeld.audit import events
from havenbeeld.registry.models import ObjectKind, Piece, RegistryObject
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.search import Filters, search
from havenbeeld.registry.selectors import get_object_for_user
from havenbeeld.registry.services import (
    Fact,
    Provenance,
    RegistryError,
    create_object,
    record_pieces,
)
from havenbeeld.sharing import purpose as purpose_binding
from havenbeeld.sharing.models import CollaborationGroup, LegalBasis

router = Router(tags=["registry"])

MAX_FACTS = 500


class PieceOut(Schema):
    id: int
    property: str
    scheme: str
    relation: str
    target_id: int | None
    value: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    organisation: str
    source: str
    observed_at: dt.datetime
    recorded_at: dt.datetime
    distribution: str
    group: str | None
    legal_basis: str
    retain_until: dt.date
    reliability: str
    credibility: str
    corrects_id: int | None
    retracts: bool
    superseded: bool = False

    @staticmethod
    def of(piece: Piece, superseded: set[int]) -> PieceOut:
        return PieceOut(
            id=piece.pk, property=piece.property, scheme=piece.scheme,
            relation=piece.relation, target_id=piece.target_id, value=piece.value,
            valid_from=piece.valid_from, valid_until=piece.valid_until,
            organisation=getattr(piece, "contributor", piece.organisation.name),
            source=piece.source,
            observed_at=piece.observed_at, recorded_at=piece.recorded_at,
            distribution=piece.distribution,
            group=piece.group.name if piece.group else None,
            legal_basis=piece.legal_basis.code, retain_until=piece.retain_until,
            reliability=piece.reliability, credibility=piece.credibility,
            corrects_id=piece.corrects_id, retracts=piece.retracts,
            superseded=piece.pk in superseded)


class ObjectOut(Schema):
    id: int
    kind: str
    label: str
    sources: list[str]
    pieces: list[PieceOut]


class HitOut(Schema):
    id: int
    kind: str
    label: str
    matched: str
    score: int


class FactIn(Schema):
    property: str = Field(..., examples=["name"])
    value: str = Field("", max_length=2000)
    scheme: str | None = Field(None, examples=["kvk"])
    relation: str | None = None
    target_id: int | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    idempotency_key: str | None = Field(None, max_length=100)


class ProvenanceIn(Schema):
    source: Literal["signal", "import", "case", "manual"] = "manual"
    distribution: Literal["own", "group", "convenant", "all"]
    legal_basis: str = Field(..., examples=["wgs"])
    group_id: int | None = None
    observed_at: dt.datetime | None = None
    reliability: Literal["A", "B", "C", "X"] = "X"
    credibility: Literal["1", "2", "3", "4"] = "4"
    retain_until: dt.date | None = None


class ObjectIn(Schema):
    kind: Literal["company", "person", "address", "vessel", "container", "vehicle",
                  "bank_account"]
    facts: list[FactIn] = Field(..., min_length=1, max_length=MAX_FACTS)
    provenance: ProvenanceIn


class PiecesIn(Schema):
    facts: list[FactIn] = Field(..., min_length=1, max_length=MAX_FACTS)
    provenance: ProvenanceIn


class ErrorOut(Schema):
    detail: str
    field: str = ""
    suggestion: str | None = None


def _object_out(request: HttpRequest, obj: RegistryObject) -> ObjectOut:
    picture = build_picture(request.user, obj)
    return ObjectOut(id=obj.pk, kind=obj.kind, label=picture.label, sources=picture.sources,
                     pieces=[PieceOut.of(p, picture.superseded) for p in picture.timeline])


def _provenance(request: HttpRequest, data: ProvenanceIn) -> Provenance:
    basis = LegalBasis.objects.filter(code=data.legal_basis).first()
    if basis is None:
        raise RegistryError(f"Unknown legal basis {data.legal_basis!r}.", "legal_basis")
    group = None
    if data.group_id is not None:
        group = CollaborationGroup.objects.filter(pk=data.group_id, active=True).first()
        if group is None:
            raise RegistryError("Unknown collaboration group.", "group_id")
    return Provenance(source=data.source, distribution=data.distribution, legal_basis=basis,
                      observed_at=data.observed_at, group=group, reliability=data.reliability,
                      credibility=data.credibility, retain_until=data.retain_until)


def _facts(request: HttpRequest, facts: list[FactIn], key_prefix: str) -> list[Fact]:
    out = []
    for fact in facts:
        target = get_object_for_user(request.user, fact.target_id) if fact.target_id else None
        key = f"{key_prefix}{fact.idempotency_key}" if fact.idempotency_key else None
        try:
            out.append(Fact(property=fact.property, value=fact.value, scheme=fact.scheme,
                            relation=fact.relation, target=target, valid_from=fact.valid_from,
                            valid_until=fact.valid_until, idempotency_key=key))
        except ValueError as exc:
            raise RegistryError(str(exc), "property") from None
    return out


@router.get("/objects/{object_id}", response={200: ObjectOut, 404: ErrorOut, 422: ErrorOut})
def get_object(request: HttpRequest, object_id: int,
               purpose: str | None = Query(None, max_length=300)) -> ObjectOut:
    """An object as the caller may see it: every visible piece with its provenance. A person's
    picture needs ``purpose`` (a case number or short description); it is audit logged."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    obj = get_object_for_user(request.user, object_id)
    stated = None
    if purpose_binding.requires_purpose(obj):
        try:
            stated = purpose_binding.clean_purpose(purpose or "")
        except purpose_binding.PurposeError as exc:
            raise RegistryError(exc.message, "purpose") from None
        events.purpose_stated(request.user, obj, request, stated)
    out = _object_out(request, obj)
    events.picture_viewed(request.user, obj, request, len(out.pieces), stated)
    return out


@router.get("/search", response=list[HitOut])
def search_objects(request: HttpRequest, q: str = Query(..., max_length=200),
                   kind: str | None = None, organisation_id: int | None = None,
                   observed_from: dt.date | None = None, observed_until: dt.date | None = None,
                   port: str | None = None) -> list[HitOut]:
    """Search names and identifiers (any common spelling) among what the caller may see,
    optionally only what one organisation told, in a period, or around a port."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    if kind is not None and kind not in ObjectKind.values:
        raise RegistryError(f"Unknown kind {kind!r}.", "kind")
    filters = Filters(kind=kind, organisation_id=organisation_id, observed_from=observed_from,
                      observed_until=observed_until, port=port)
    found = search(request.user, q, filters=filters)
    events.search_made(request.user, request, q,
                       {k: str(v) for k, v in vars(filters).items() if v}, len(found), "api")
    return [HitOut(id=h.object.pk, kind=h.object.kind, label=h.label, matched=h.matched,
                   score=h.score) for h in found]


@router.post("/objects", response={201: ObjectOut, 200: ObjectOut, 422: ErrorOut})
def create(request: HttpRequest, payload: ObjectIn) -> Status:
    """Create an object with its first facts. With an ``Idempotency-Key`` header a retried
    request returns the object made the first time instead of a second one."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    retry_key = request.headers.get("Idempotency-Key", "")[:80]
    prefix = f"api:{request.user.organisation_id}:{retry_key}:" if retry_key else ""
    facts = payload.facts
    if retry_key:
        facts = [f.model_copy(update={"idempotency_key": f.idempotency_key or str(i)})
                 for i, f in enumerate(facts)]
        earlier = Piece.objects.filter(idempotency_key=f"{prefix}{facts[0].idempotency_key}"
                                       ).select_related("object").first()
        if earlier is not None:
            return Status(200, _object_out(request, earlier.object))
    obj = create_object(actor=request.user, kind=payload.kind,
                        facts=_facts(request, facts, prefix),
                        provenance=_provenance(request, payload.provenance))
    return Status(201, _object_out(request, obj))


@router.post("/objects/{object_id}/pieces", response={201: list[PieceOut], 422: ErrorOut})
def add_pieces(request: HttpRequest, object_id: int, payload: PiecesIn) -> Status:
    """Add facts to an object the caller can see. Facts with a known idempotency key are
    skipped."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    obj = get_object_for_user(request.user, object_id)
    prefix = f"api:{request.user.organisation_id}:"
    pieces = record_pieces(actor=request.user, obj=obj,
                           facts=_facts(request, payload.facts, prefix),
                           provenance=_provenance(request, payload.provenance))
    return Status(201, [PieceOut.of(p, set()) for p in pieces])




class HolderOut(Schema):
    instance: str
    holder: str
    pieces: int
    latest_month: str


@router.get("/hits", response={200: list[HolderOut], 422: ErrorOut, 429: ErrorOut})
def identifier_hits(request: HttpRequest, scheme: str, value: str = Query(..., max_length=64),
                    purpose: str = Query(..., min_length=3, max_length=300)) -> Status:
    """Who holds anything on this identifier — here and in other instances' imported hit
    indexes. Holder, count and month only; for analysts and coordinators of public partners;
    audited with the purpose and rate limited."""
    from havenbeeld.registry.identifiers import InvalidIdentifier
    from havenbeeld.sharing.hitindex import who_holds
    from havenbeeld.sharing.hits import HitLimitReached

    policy.require(request.user, policy.Action.ANALYSE)
    try:
        found = who_holds(request.user, scheme, value, purpose=purpose, request=request)
    except InvalidIdentifier as exc:
        raise RegistryError(exc.message, "value", exc.suggestion) from None
    except HitLimitReached:
        return Status(429, ErrorOut(detail="Too many hit questions in the last hour."))
    return Status(200, [HolderOut(**vars(hit)) for hit in found])
