"""REST endpoint for candidate lookup ("did you mean") — thin over resolution.selectors."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest

from ninja import Field, Router, Schema

from havenbeeld.accounts import policy
from havenbeeld.audit import events
from havenbeeld.resolution.features import Record
from havenbeeld.resolution.selectors import candidates_for

router = Router(tags=["resolution"])


class IdentifierIn(Schema):
    scheme: str = Field(..., max_length=30)
    value: str = Field(..., max_length=64)


class RecordIn(Schema):
    entity_type: Literal["person", "company"]
    name: str = Field("", max_length=300)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    birth_date: str = Field("", max_length=40)
    founded: str = Field("", max_length=40)
    street: str = Field("", max_length=200)
    house_number: str = Field("", max_length=20)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=60)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)


class EvidenceOut(Schema):
    comparison: str
    level: str
    weight: float


class CandidateOut(Schema):
    id: int
    label: str
    probability: float
    outcome: Literal["link", "review"]
    evidence: list[EvidenceOut]


@router.post("/resolution/candidates", response=list[CandidateOut])
def candidates(request: HttpRequest, payload: RecordIn) -> list[CandidateOut]:
    """Objects the caller may see that may describe the same company or person, best first,
    each scored on what the caller may see. ``outcome`` says what intake would do: ``link``
    (same entity) or ``review`` (a person should decide)."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    record = Record(record_id="query", entity_type=payload.entity_type, name=payload.name,
                    first_name=payload.first_name, last_name=payload.last_name,
                    birth_date=payload.birth_date, founded=payload.founded,
                    street=payload.street, house_number=payload.house_number,
                    postcode=payload.postcode, city=payload.city, country=payload.country,
                    identifiers=tuple((i.scheme, i.value) for i in payload.identifiers))
    found = candidates_for(request.user, record)
    events.search_made(request.user, request, payload.name or payload.last_name,
                       {"entity_type": payload.entity_type, "kind": "candidates"}, len(found),
                       "api")
    return [CandidateOut(id=c.object_id, label=c.label, probability=round(c.probability, 4),
                         outcome=c.outcome, evidence=[EvidenceOut(
                             comparison=e.comparison, level=e.level, weight=round(e.weight, 2))
                             for e in c.evidence]) for c in found]
