"""FollowTheMoney (FtM) JSON lines: export what a viewer sees, import a partner's entities.

FtM is the entity format of Aleph, OpenSanctions and yente. Export goes through the per-viewer
picture, so a file holds exactly what its user may see (current values only; a BSN never leaves).
Import maps FtM schemata and properties onto objects and facts, records the entity id so a
second import adds nothing, and links come in a second pass once both ends exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from followthemoney import model
from followthemoney.exc import InvalidData

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.imports.models import ExternalRecord
from havenbeeld.registry.models import ObjectKind, Property, RegistryObject, RelationType
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.selectors import objects_visible_to
from havenbeeld.registry.services import (
    Fact,
    Provenance,
    RegistryError,
    create_object,
    record_pieces,
)

SCHEMA_OF_KIND = {
    ObjectKind.COMPANY: "Company", ObjectKind.PERSON: "Person", ObjectKind.ADDRESS: "Address",
    ObjectKind.VESSEL: "Vessel", ObjectKind.VEHICLE: "Vehicle",
    ObjectKind.BANK_ACCOUNT: "BankAccount", ObjectKind.CONTAINER: "Thing",
}
KIND_OF_SCHEMA = {
    "Company": ObjectKind.COMPANY, "Organization": ObjectKind.COMPANY,
    "LegalEntity": ObjectKind.COMPANY, "Person": ObjectKind.PERSON,
    "Address": ObjectKind.ADDRESS, "Vessel": ObjectKind.VESSEL, "Vehicle": ObjectKind.VEHICLE,
    "BankAccount": ObjectKind.BANK_ACCOUNT,
}
# (our property, identifier scheme) → FtM property, per FtM schema family.
PROPERTY_TO_FTM = {
    (Property.NAME, ""): "name", (Property.TRADE_NAME, ""): "alias",
    (Property.IDENTIFIER, "kvk"): "registrationNumber", (Property.IDENTIFIER, "rsin"): "taxNumber",
    (Property.IDENTIFIER, "btw"): "vatCode", (Property.IDENTIFIER, "eori"): "idNumber",
    (Property.IDENTIFIER, "imo"): "imoNumber", (Property.IDENTIFIER, "mmsi"): "mmsi",
    (Property.IDENTIFIER, "iban"): "iban", (Property.FOUNDED, ""): "incorporationDate",
    (Property.DISSOLVED, ""): "dissolutionDate", (Property.BIRTH_DATE, ""): "birthDate",
    (Property.NATIONALITY, ""): "nationality", (Property.SBI, ""): "sector",
    (Property.FLAG, ""): "flag", (Property.VESSEL_TYPE, ""): "type",
    (Property.REGISTRATION, ""): "registrationNumber", (Property.NOTE, ""): "notes",
    (Property.POSTCODE, ""): "postalCode", (Property.CITY, ""): "city",
    (Property.STREET, ""): "street", (Property.COUNTRY, ""): "country",
}
FTM_TO_FACT = {
    "name": (Property.NAME, None), "alias": (Property.TRADE_NAME, None),
    "registrationNumber": (Property.IDENTIFIER, "kvk"), "taxNumber": (Property.IDENTIFIER, "rsin"),
    "vatCode": (Property.IDENTIFIER, "btw"), "imoNumber": (Property.IDENTIFIER, "imo"),
    "mmsi": (Property.IDENTIFIER, "mmsi"), "iban": (Property.IDENTIFIER, "iban"),
    "incorporationDate": (Property.FOUNDED, None), "dissolutionDate": (Property.DISSOLVED, None),
    "birthDate": (Property.BIRTH_DATE, None), "nationality": (Property.NATIONALITY, None),
    "flag": (Property.FLAG, None), "postalCode": (Property.POSTCODE, None),
    "city": (Property.CITY, None), "street": (Property.STREET, None),
    "notes": (Property.NOTE, None),
}
# Relation → (FtM link schema, property for our object, property for the related object)
LINKS = {
    RelationType.DIRECTOR_OF: ("Directorship", "director", "organization"),
    RelationType.OWNER_OF: ("Ownership", "owner", "asset"),
    RelationType.UBO_OF: ("Ownership", "owner", "asset"),
    RelationType.EMPLOYEE_OF: ("Employment", "employee", "employer"),
    RelationType.ASSOCIATE_OF: ("UnknownLink", "subject", "object"),
}
LINK_SCHEMATA = {"Directorship": RelationType.DIRECTOR_OF, "Ownership": RelationType.OWNER_OF,
                 "Employment": RelationType.EMPLOYEE_OF, "UnknownLink": RelationType.ASSOCIATE_OF,
                 "Associate": RelationType.ASSOCIATE_OF}


def _entity_id(obj_id: int) -> str:
    return f"havenbeeld-{obj_id}"


def export_entities(viewer: User, kind: str | None = None) -> Iterator[dict]:
    """FtM entities (as dicts) of everything the viewer may see, links included."""
    policy.require(viewer, policy.Action.READ_SHARED_INFORMATION)
    objects = objects_visible_to(viewer).order_by("pk")
    if kind:
        objects = objects.filter(kind=kind)
    for obj in objects.iterator(chunk_size=500):
        picture = build_picture(viewer, obj)
        schema = SCHEMA_OF_KIND[ObjectKind(obj.kind)]
        proxy = model.make_entity(schema)
        proxy.id = _entity_id(obj.pk)
        proxy.add("name", picture.label, quiet=True)
        values = [*picture.identifiers] + [v for vs in picture.properties.values() for v in vs]
        for value in values:
            piece = value.pieces[0]
            if piece.scheme == "bsn":
                continue
            prop = PROPERTY_TO_FTM.get((piece.property, piece.scheme or ""))
            if prop and prop in proxy.schema.properties:
                proxy.add(prop, value.value, quiet=True)
        proxy.add("sourceUrl", f"havenbeeld:object/{obj.pk}", quiet=True)
        yield proxy.to_dict()
        for piece in picture.relations:
            link = LINKS.get(RelationType(piece.relation))
            if link is None:
                continue
            schema_name, ours, theirs = link
            edge = model.make_entity(schema_name)
            edge.id = f"havenbeeld-link-{piece.pk}"
            edge.add(ours, _entity_id(obj.pk), quiet=True)
            edge.add(theirs, _entity_id(piece.target_id), quiet=True)
            if piece.valid_from:
                edge.add("startDate", piece.valid_from.isoformat(), quiet=True)
            if piece.valid_until:
                edge.add("endDate", piece.valid_until.isoformat(), quiet=True)
            yield edge.to_dict()


@dataclass
class FtmReport:
    entities: int = 0
    objects_created: int = 0
    pieces_recorded: int = 0
    links: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _key(organisation_id: int, entity_id: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"ftm:{organisation_id}:{hashlib.sha256(entity_id.encode()).hexdigest()[:16]}:{digest}"


def import_entities(*, actor: User, lines: Iterable[str], provenance: Provenance) -> FtmReport:
    """Import FtM JSON lines. Each entity is all-or-nothing; bad lines are reported."""
    policy.require(actor, policy.Action.CONTRIBUTE_INFORMATION)
    report = FtmReport()
    links: list[tuple[int, object]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            proxy = model.get_proxy(json.loads(line))
        except (ValueError, InvalidData, TypeError) as exc:
            report.errors.append((number, f"not an FtM entity: {exc}"[:300]))
            continue
        report.entities += 1
        if proxy.schema.name in LINK_SCHEMATA:
            links.append((number, proxy))
            continue
        kind = KIND_OF_SCHEMA.get(proxy.schema.name)
        if kind is None:
            report.errors.append((number, f"schema {proxy.schema.name} is not imported"))
            continue
        try:
            _import_thing(actor, proxy, kind, provenance, report)
        except RegistryError as exc:
            report.errors.append((number, exc.message))
    for number, proxy in links:
        try:
            _import_link(actor, proxy, provenance, report)
        except RegistryError as exc:
            report.errors.append((number, exc.message))
    return report


def _import_thing(actor: User, proxy: object, kind: ObjectKind, provenance: Provenance,
                  report: FtmReport) -> None:
    facts = []
    for prop, (our_property, scheme) in FTM_TO_FACT.items():
        for value in proxy.get(prop, quiet=True):
            if our_property in (Property.FOUNDED, Property.DISSOLVED, Property.BIRTH_DATE):
                if len(value) < 10:
                    continue  # FtM allows partial dates; ours are whole days
                value = value[:10]
            facts.append(Fact(our_property, value, scheme=scheme, idempotency_key=_key(
                actor.organisation_id, proxy.id, prop, value)))
    if not facts:
        raise RegistryError(f"entity {proxy.id} has no property Havenbeeld can record")
    with transaction.atomic():
        record = ExternalRecord.objects.filter(organisation=actor.organisation, source="ftm",
                                               external_id=proxy.id[:200]).first()
        if record is None:
            obj = create_object(actor=actor, kind=kind, facts=facts, provenance=provenance)
            ExternalRecord.objects.create(organisation=actor.organisation, source="ftm",
                                          external_id=proxy.id[:200], object=obj)
            report.objects_created += 1
            report.pieces_recorded += len(facts)
        else:
            report.pieces_recorded += len(record_pieces(
                actor=actor, obj=record.object, facts=facts, provenance=provenance))


def _import_link(actor: User, proxy: object, provenance: Provenance, report: FtmReport) -> None:
    relation = LINK_SCHEMATA[proxy.schema.name]
    _schema, ours, theirs = next(
        (v for v in LINKS.values() if v[0] == proxy.schema.name),
        ("Associate", "person", "associate"))
    source_ids, target_ids = proxy.get(ours, quiet=True), proxy.get(theirs, quiet=True)
    records = dict(ExternalRecord.objects.filter(
        organisation=actor.organisation, source="ftm",
        external_id__in=[*source_ids, *target_ids]).values_list("external_id", "object_id"))
    for source_id in source_ids:
        for target_id in target_ids:
            if source_id not in records or target_id not in records:
                raise RegistryError(f"link {proxy.id}: both ends must be in the file")
            source = RegistryObject.objects.get(pk=records[source_id])
            target = RegistryObject.objects.get(pk=records[target_id])
            label = next(iter(target.pieces.filter(property=Property.NAME,
                                                   organisation=actor.organisation_id)
                              .values_list("value", flat=True)), "")
            start = next(iter(proxy.get("startDate", quiet=True)), "")
            end = next(iter(proxy.get("endDate", quiet=True)), "")
            fact = Fact(Property.RELATION, label, relation=relation, target=target,
                        valid_from=date.fromisoformat(start[:10]) if len(start) >= 10 else None,
                        valid_until=date.fromisoformat(end[:10]) if len(end) >= 10 else None,
                        idempotency_key=_key(actor.organisation_id, proxy.id, source_id,
                                             target_id))
            created = record_pieces(actor=actor, obj=source, facts=[fact],
                                    provenance=provenance)
            report.links += len(created)
