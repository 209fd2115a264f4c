"""Recording pieces of information. Every fact enters the registry through ``record_pieces``.

A piece is validated (identifier schemes, dates, distribution rules, legal basis, BSN rules)
before anything is written; a batch is all-or-nothing. Pieces are never changed afterwards:
``correct_piece`` and ``retract_piece`` add new pieces pointing at the old one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.core import hot
from havenbeeld.registry import identifiers
from havenbeeld.registry.models import (
    Credibility,
    NameToken,
    ObjectKind,
    Piece,
    Property,
    RegistryObject,
    RelationType,
    Source,
    SourceReliability,
)
from havenbeeld.registry.names import clean_display, name_key
from havenbeeld.registry.signals import pieces_saved
from havenbeeld.sharing.models import (
    CollaborationGroup,
    Distribution,
    LegalBasis,
    RetentionDefault,
)

DATE_PROPERTIES = {Property.FOUNDED, Property.DISSOLVED, Property.BIRTH_DATE}
NAME_PROPERTIES = {Property.NAME, Property.TRADE_NAME}

# Members looked up once: an enum member read off its class costs as much as a dict look-up,
# and the bulk import asks these for every fact of every row. ``Fact`` holds members, so
# ``is`` compares them.
_POSTCODE, _HOUSE_NUMBER, _RELATION = Property.POSTCODE, Property.HOUSE_NUMBER, Property.RELATION


class RegistryError(ValueError):
    """Input that cannot be recorded; ``message`` is for the user, ``field`` says where."""

    def __init__(self, message: str, field: str = "", suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestion = suggestion


@dataclass(frozen=True)
class Fact:
    """One thing said about an object, before it becomes a piece."""

    property: Property
    value: str = ""
    scheme: identifiers.Scheme | None = None
    relation: RelationType | None = None
    target: RegistryObject | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        # Accept plain strings from forms, files and the API.
        object.__setattr__(self, "property", Property(self.property))
        if self.scheme:
            try:
                object.__setattr__(self, "scheme", identifiers.Scheme(self.scheme))
            except ValueError:
                raise RegistryError(_("Unknown identifier scheme %(scheme)s.")
                                    % {"scheme": self.scheme}, "scheme") from None
        if self.relation:
            object.__setattr__(self, "relation", RelationType(self.relation))


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from and who may see it."""

    source: Source
    distribution: Distribution
    legal_basis: LegalBasis
    observed_at: dt.datetime | None = None
    group: CollaborationGroup | None = None
    reliability: SourceReliability = SourceReliability.X
    credibility: Credibility = Credibility.CANNOT_BE_JUDGED
    retain_until: dt.date | None = None
    extra: dict = field(default_factory=dict)


_RETENTION_CACHE: dict[str, object] = {"at": 0.0, "days": {}}
RETENTION_CACHE_SECONDS = 60


def retention_days(basis: LegalBasis, source: str) -> int:
    """The shorter of the legal basis's retention and the administrators' default per source.
    The defaults are read at most once a minute (imports call this for every row)."""
    now = time.monotonic()
    if now - _RETENTION_CACHE["at"] > RETENTION_CACHE_SECONDS:
        _RETENTION_CACHE["days"] = dict(RetentionDefault.objects.values_list("source", "days"))
        _RETENTION_CACHE["at"] = now
    default = _RETENTION_CACHE["days"].get(source)
    return min(basis.retention_days, default) if default else basis.retention_days


def forget_retention_defaults() -> None:
    _RETENTION_CACHE["at"] = 0.0


def check_provenance(actor: User, provenance: Provenance) -> Provenance:
    now = timezone.now()
    observed = provenance.observed_at or now
    if observed > now + dt.timedelta(minutes=5):
        raise RegistryError(_("The observation date lies in the future."), "observed_at")
    basis = provenance.legal_basis
    if not basis.active:
        raise RegistryError(_("This legal basis is no longer in use."), "legal_basis")
    if basis.public_only and not actor.organisation.is_public:
        raise RegistryError(_("Only public partners can share under %(basis)s.")
                            % {"basis": basis.name}, "legal_basis")
    if provenance.distribution == Distribution.GROUP:
        group = provenance.group
        if group is None:
            raise RegistryError(_("Choose the collaboration group to share with."), "group")
        if not group.organisations.filter(pk=actor.organisation_id).exists():
            raise RegistryError(_("Your organisation is not a member of %(group)s.")
                                % {"group": group.name}, "group")
    elif provenance.group is not None:
        provenance = replace(provenance, group=None)
    retain = provenance.retain_until or (now + dt.timedelta(
        days=retention_days(basis, provenance.source))).date()
    if retain <= now.date():
        raise RegistryError(_("The retention date must lie in the future."), "retain_until")
    return replace(provenance, observed_at=observed, retain_until=retain)


def _normalise_fact(actor: User, obj: RegistryObject, fact: Fact,
                    provenance: Provenance) -> tuple[str, str]:
    """Validate a fact; return (value as shown, value normalised)."""
    if fact.property == Property.RELATION:
        if fact.target is None or fact.relation is None:
            raise RegistryError(_("A relation needs a type and a related object."), "relation")
        if fact.target.pk == obj.pk:
            raise RegistryError(_("An object cannot be related to itself."), "relation")
        label = clean_display(fact.value)[:300]
        return label, name_key(label)
    value = clean_display(fact.value or "")
    if not value:
        raise RegistryError(_("%(property)s is empty.") % {"property": fact.property.label},
                            fact.property)
    if len(value) > 2000:
        raise RegistryError(_("%(property)s is longer than 2000 characters.")
                            % {"property": fact.property.label}, fact.property)
    if fact.property == Property.IDENTIFIER:
        if fact.scheme is None:
            raise RegistryError(_("Say which kind of identifier this is."), "scheme")
        try:
            identifier = identifiers.normalise(fact.scheme, value)
        except identifiers.InvalidIdentifier as exc:
            raise RegistryError(exc.message, fact.scheme, exc.suggestion) from None
        if identifier.scheme == identifiers.Scheme.BSN:
            if not (actor.organisation.is_public and provenance.legal_basis.allows_bsn):
                raise RegistryError(_("A BSN may only be recorded by a public partner under a "
                                      "legal basis that allows it."), "bsn")
            if provenance.distribution in (Distribution.ALL, Distribution.GROUP):
                raise RegistryError(_("A BSN is never shared with private partners; choose "
                                      "your own organisation or public convenant partners."),
                                    "distribution")
        return identifier.display, identifier.value
    if fact.property in DATE_PROPERTIES:
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            raise RegistryError(_("%(property)s is not a valid date (YYYY-MM-DD).")
                                % {"property": fact.property.label}, fact.property) from None
        if date > timezone.localdate():
            raise RegistryError(_("%(property)s lies in the future.")
                                % {"property": fact.property.label}, fact.property)
        return date.isoformat(), date.isoformat()
    if fact.property in NAME_PROPERTIES:
        return value, name_key(value)
    if fact.property == Property.POSTCODE:
        try:
            identifier = identifiers.normalise(identifiers.Scheme.POSTCODE, value)
        except identifiers.InvalidIdentifier as exc:
            raise RegistryError(exc.message, "postcode") from None
        return identifier.display, identifier.value
    if fact.property == Property.REGISTRATION:
        # Plates are written with and without dashes and spaces: "XB-123-Z" is "xb 123 z".
        return value.upper(), "".join(ch for ch in value.upper() if ch.isalnum())[:255]
    return value, value.casefold()[:255]


def _derived_facts(facts: Sequence[Fact]) -> list[Fact]:
    """Facts that follow from others: the address key (postcode + house number), so that an
    address is found and matched however it was written."""
    postcodes = []
    numbers = []
    for f in facts:
        if f.property is _POSTCODE:
            postcodes.append(f.value)
        elif f.property is _HOUSE_NUMBER:
            numbers.append(f.value)
    if len(postcodes) != 1 or len(numbers) != 1:
        return []
    try:
        key = identifiers.normalise(identifiers.Scheme.ADDRESS, f"{postcodes[0]} {numbers[0]}")
    except identifiers.InvalidIdentifier:
        return []  # the postcode's own check reports what is wrong
    keyed = [f.idempotency_key for f in facts if f.idempotency_key]
    return [Fact(Property.IDENTIFIER, key.value, scheme=identifiers.Scheme.ADDRESS,
                 idempotency_key=f"{keyed[0]}:address" if keyed else None)]


def _can_contribute(actor: User) -> None:
    policy.require(actor, policy.Action.CONTRIBUTE_INFORMATION)


def build_pieces(*, actor: User, obj: RegistryObject, facts: Sequence[Fact],
                 provenance: Provenance) -> list[Piece]:
    """Validate ``facts`` into unsaved pieces. Raises ``RegistryError`` on the first bad one."""
    _can_contribute(actor)
    provenance = check_provenance(actor, provenance)
    pieces = []
    for fact in [*facts, *_derived_facts(facts)]:
        shown, normalised = _normalise_fact(actor, obj, fact, provenance)
        pieces.append(Piece(
            object=obj, property=fact.property,
            scheme=fact.scheme.value if fact.scheme else "",
            relation=fact.relation.value if fact.relation else "",
            target=fact.target, value=shown, value_normalised=normalised,
            valid_from=fact.valid_from, valid_until=fact.valid_until,
            organisation=actor.organisation, source=provenance.source,
            observed_at=provenance.observed_at, recorded_by=actor,
            distribution=provenance.distribution, group=provenance.group,
            legal_basis=provenance.legal_basis, retain_until=provenance.retain_until,
            reliability=provenance.reliability, credibility=provenance.credibility,
            idempotency_key=fact.idempotency_key,
        ))
    return pieces


def save_pieces(pieces: list[Piece], batch_size: int = 1000, *,
                notify: bool = True) -> list[Piece]:
    """Insert validated pieces with what indexes them (name tokens). The only way pieces are
    written; callers run it inside their transaction. Listeners of ``pieces_saved`` (entity
    resolution) hear of the objects once the transaction commits; a bulk generator that
    re-links everything afterwards passes ``notify=False``."""
    for piece in pieces:
        if piece.object_id is None and piece.object is not None:
            piece.object_id = piece.object.pk
    # core.hot.insert: bulk_create's rows without its per-value compilation (every signal).
    created = list(hot.insert(pieces, batch_size))
    hot.insert_values(NameToken, ("token", "piece_id", "object_id"),
                      [(word[:64], piece.pk, piece.object_id)
                       for piece in created if piece.property in NAME_PROPERTIES
                       for word in set(piece.value_normalised.split())])
    if notify and created:
        pieces_saved.send(sender=Piece, object_ids={p.object_id for p in created})
    return created


# Keys per query of ``known_keys``: PostgreSQL takes at most 65,535 parameters in a statement.
KEYS_PER_QUERY = 10_000


def known_keys(keys: Iterable[str]) -> set[str]:
    """Of these idempotency keys, those a piece already has — in queries of at most
    ``KEYS_PER_QUERY`` keys: a re-imported chunk of 5,000 rows of fourteen facts each asks
    for 70,000, more than PostgreSQL takes in one statement."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        found.update(Piece.objects.filter(
            idempotency_key__in=wanted[start:start + KEYS_PER_QUERY]).values_list(
            "idempotency_key", flat=True))
    return found


def record_pieces(*, actor: User, obj: RegistryObject, facts: Sequence[Fact],
                  provenance: Provenance) -> list[Piece]:
    """Record facts about an existing object, all or nothing. Known idempotency keys are
    skipped, so a retried call adds nothing."""
    pieces = build_pieces(actor=actor, obj=obj, facts=facts, provenance=provenance)
    keys = [p.idempotency_key for p in pieces if p.idempotency_key]
    known = known_keys(keys)
    fresh = [p for p in pieces if p.idempotency_key not in known]
    try:
        with transaction.atomic():
            created = save_pieces(fresh)
            if created:
                events.pieces_recorded(actor, obj, len(created))
    except IntegrityError:
        raise RegistryError(_("These facts were submitted twice at the same moment; nothing "
                              "was recorded the second time.")) from None
    return created


def create_object(*, actor: User, kind: ObjectKind, facts: Sequence[Fact],
                  provenance: Provenance) -> RegistryObject:
    """Create an object with its first facts; it must have at least one."""
    if not facts:
        raise RegistryError(_("An object needs at least one fact."))
    with transaction.atomic():
        obj = RegistryObject.objects.create(kind=kind)
        record_pieces(actor=actor, obj=obj, facts=facts, provenance=provenance)
    return obj


def correct_piece(*, actor: User, piece: Piece, value: str,
                  provenance: Provenance) -> Piece:
    """Record a correction of ``piece`` (the old piece stays, marked as corrected)."""
    if piece.organisation_id != actor.organisation_id:
        raise RegistryError(_("Only the contributing organisation can correct a piece; record "
                              "your own piece instead."))
    fact = Fact(property=Property(piece.property), value=value,
                scheme=identifiers.Scheme(piece.scheme) if piece.scheme else None,
                relation=RelationType(piece.relation) if piece.relation else None,
                target=piece.target)
    # A correction reaches exactly the audience of what it corrects.
    provenance = replace(provenance, distribution=piece.distribution, group=piece.group)
    [correction] = build_pieces(actor=actor, obj=piece.object, facts=[fact],
                                provenance=provenance)
    correction.corrects = piece
    with transaction.atomic():
        save_pieces([correction])
        events.pieces_recorded(actor, piece.object, 1, corrects=piece.pk)
    return correction


def retract_piece(*, actor: User, piece: Piece, reason: str) -> Piece:
    """Withdraw ``piece``: a retraction piece with the same distribution and basis."""
    if piece.organisation_id != actor.organisation_id:
        raise RegistryError(_("Only the contributing organisation can retract a piece."))
    reason = clean_display(reason)
    if not reason:
        raise RegistryError(_("Give a reason for the retraction."), "reason")
    _can_contribute(actor)
    with transaction.atomic():
        [retraction] = save_pieces([Piece(
            object=piece.object, property=Property.NOTE, value=reason[:2000],
            value_normalised="", organisation=actor.organisation, source=Source.MANUAL,
            observed_at=timezone.now(), recorded_by=actor, distribution=piece.distribution,
            group=piece.group, legal_basis=piece.legal_basis, retain_until=piece.retain_until,
            corrects=piece, retracts=True)])
        events.pieces_recorded(actor, piece.object, 1, retracts=piece.pk)
    return retraction


def normalise_facts(*, actor: User, obj: RegistryObject, facts: Sequence[Fact],
                    provenance: Provenance, memo: dict | None = None
                    ) -> list[tuple[Fact, str, str]]:
    """``build_pieces`` without building the pieces, for bulk writers (the import) that write
    their own rows: every fact, derived ones included, with its value as shown and normalised,
    validated by the same rules. Raises ``RegistryError`` on the first bad fact.

    The caller checks once per batch what ``build_pieces`` checks per call: the actor's right
    to contribute and the provenance (``check_provenance``; pass the provenance it returned).
    ``memo``, kept by the caller for one actor, provenance and day, remembers the normalised
    form of values seen before (a file repeats its city names); relations are never
    remembered and failures never are."""
    derived = _derived_facts(facts)
    result = []
    for fact in [*facts, *derived] if derived else facts:
        if memo is None or fact.property is _RELATION:
            shown, normalised = _normalise_fact(actor, obj, fact, provenance)
        else:
            key = (fact.property, fact.scheme, fact.value)
            known = memo.get(key)
            if known is None:
                known = memo[key] = _normalise_fact(actor, obj, fact, provenance)
            shown, normalised = known
        result.append((fact, shown, normalised))
    return result
