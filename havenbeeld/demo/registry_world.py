"""The demo world, second layer: companies, persons, vessels and containers, told by partners.

Each real (fictitious) entity is known to one or more partners, and each partner records it as
its own object with its own spelling — the way information arrives before resolution links it.
``PlantedEntity`` records which objects are the same entity (the ground truth). All facts enter
through ``registry.services.build_pieces``, so they are validated like any other input.

Who knows what:
- RIEC Rotterdam, from the public Handelsregister (distribution: all participants): company
  name, KvK, RSIN, founding date, SBI code, address (flex offices shared by many companies) and
  directors over time.
- Douane (public convenant partners): importers by EORI and a spelling of their own, consignee
  of containers, and some containers and vessels.
- Zeehavenpolitie (own organisation / convenant partners): some companies and their directors,
  with dates of birth.
- The shipping line (terminal-security collaboration group): bookings — shipper, consignee,
  container, cargo, port of origin.
- The harbour master (all participants): vessels with IMO and MMSI numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from stdnum import imo, iso6346
from stdnum.nl import bsn

from havenbeeld.accounts.models import Organisation, User
from havenbeeld.demo import vocab
from havenbeeld.demo.models import PlantedEntity
from havenbeeld.registry.models import (
    Credibility,
    ObjectKind,
    Piece,
    Property,
    RegistryObject,
    RelationType,
    Source,
    SourceReliability,
)
from havenbeeld.registry.services import Fact, Provenance, build_pieces, save_pieces
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis

CHUNK = 2000
TERMINAL_GROUP = "Terminalbeveiliging Rotterdam"


@dataclass
class Record:
    """One partner's object for one entity, before it is saved."""

    entity_key: str
    kind: ObjectKind
    actor: User
    facts: list[Fact]
    provenance: Provenance
    relations: list[tuple[RelationType, str, str, dt.date | None, dt.date | None]] = field(
        default_factory=list)  # (type, target record key, label, from, until)
    key: str = ""
    # Further facts on the same object under another provenance (e.g. kept to the partner).
    extra: list[tuple[list[Fact], Provenance]] = field(default_factory=list)


@dataclass
class Actors:
    riec: User
    customs: User
    police: User
    shipping: User
    harbour: User
    group: CollaborationGroup
    bases: dict[str, LegalBasis]


class Variants:
    """Spelling variation between partners: legal forms, typos, word order, case."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def typo(self, word: str) -> str:
        if len(word) < 5:
            return word
        i = self.rng.randrange(1, len(word) - 2)
        kind = self.rng.choice(("swap", "drop", "double"))
        if kind == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if kind == "drop":
            return word[:i] + word[i + 1:]
        return word[:i] + word[i] + word[i:]

    def company(self, base: str, form: str) -> str:
        rng = self.rng
        words = base.split()
        roll = rng.random()
        if roll < 0.25:
            j = rng.randrange(len(words))
            words[j] = self.typo(words[j])
        elif roll < 0.4 and len(words) > 1:
            words = words[::-1]
        name = " ".join(words)
        variant_form = rng.choice(vocab.LEGAL_FORM_VARIANTS.get(form, (form,)))
        name = f"{variant_form} {name}" if rng.random() < 0.1 else f"{name} {variant_form}"
        if rng.random() < 0.2:
            name = name.upper()
        return name

    def person(self, first: str, last: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return f"{first[0]}. {last}"
        if roll < 0.45:
            return f"{first} {self.typo(last)}"
        if roll < 0.55:
            return f"{last.upper()}, {first}"
        return f"{first} {last}"

    def postcode(self, code: str) -> str:
        if self.rng.random() < 0.1:  # a typo in the letters
            return code[:4] + code[5] + code[4]
        return code


_SYLLABLES = ("ka", "ve", "lo", "ri", "ta", "mo", "ne", "sa", "do", "bre", "kra", "vi", "ro",
              "ze", "la", "ma", "tro", "ni", "ko", "pa", "de", "gu", "fle", "ba")


def _company_base(rng: random.Random, used: set[str], cities: list[str]) -> str:
    """A company name (without legal form) not used before; invented brand words keep the
    space of names large enough for a million companies."""
    for _attempt in range(4):
        if rng.random() < 0.2:
            base = f"{rng.choice(vocab.FAMILY_FIRMS)} {rng.choice(vocab.COMPANY_CORES)}"
        else:
            base = f"{rng.choice(vocab.COMPANY_PREFIXES)} {rng.choice(vocab.COMPANY_CORES)}"
        if _attempt >= 2:
            base = f"{base} {rng.choice(cities)}"
        if base not in used:
            return base
    while True:
        brand = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        base = f"{brand.capitalize()} {rng.choice(vocab.COMPANY_CORES)}"
        if base not in used:
            return base


def _rsin(rng: random.Random, used: set[str]) -> str:
    while True:
        first = f"{rng.randrange(10_000_000, 99_999_999):08d}"
        for last in "0123456789":
            candidate = first + last
            if bsn.checksum(candidate) == 0 and candidate not in used:
                used.add(candidate)
                return candidate


def _postcode(rng: random.Random, prefix: str) -> str:
    while True:
        letters = rng.choice("ABCDEGHJKLMNPRTVWXZ") + rng.choice("ABCDEGHJKLMNPRTVWXZ")
        if letters not in {"SA", "SD", "SS"}:
            return f"{prefix}{letters}"


def _date(rng: random.Random, start_year: int, end_year: int) -> dt.date:
    start = dt.date(start_year, 1, 1).toordinal()
    end = dt.date(end_year, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randrange(start, end))


def _actors() -> Actors:
    def user(email: str) -> User:
        return User.objects.select_related("organisation").get(email=email)

    group, _ = CollaborationGroup.objects.get_or_create(
        name=TERMINAL_GROUP,
        defaults={"description": "Beveiligers van terminals en rederijen met Douane, "
                                 "Zeehavenpolitie en RIEC (fictief demovoorbeeld).",
                  "owner": Organisation.objects.get(name="RIEC Rotterdam")})
    group.organisations.set(Organisation.objects.filter(name__in=[
        "Kaaiwacht Container Terminal B.V.", "Noordstroom Lijndienst B.V.",
        "Douane Rotterdam Rijnmond", "Politie Eenheid Rotterdam – Zeehavenpolitie",
        "RIEC Rotterdam"]))
    return Actors(
        riec=user("analist@riec-rotterdam.example"),
        customs=user("analist@douane-rotterdam.example"),
        police=user("analist@zeehavenpolitie.example"),
        shipping=user("security@noordstroom-lijndienst.example"),
        harbour=user("vaarwegen@havenmeester-rotterdam.example"),
        group=group,
        bases={b.code: b for b in LegalBasis.objects.all()},
    )


def _provenance(actors: Actors, who: str, rng: random.Random, now: dt.datetime) -> Provenance:
    observed = now - dt.timedelta(days=rng.randrange(1, 720), minutes=rng.randrange(1440))
    if who == "riec":
        return Provenance(Source.IMPORT, Distribution.ALL, actors.bases["openbaar-register"],
                          observed, reliability=SourceReliability.A,
                          credibility=Credibility.KNOWN)
    if who == "customs":
        return Provenance(Source.IMPORT, Distribution.CONVENANT, actors.bases["awr-douane"],
                          observed, reliability=SourceReliability.A,
                          credibility=Credibility.PERSONALLY_KNOWN)
    if who == "police":
        level = Distribution.CONVENANT if rng.random() < 0.6 else Distribution.OWN
        return Provenance(Source.MANUAL, level, actors.bases["wpg"], observed,
                          reliability=SourceReliability.B,
                          credibility=Credibility.NOT_PERSONALLY_KNOWN)
    if who == "shipping":
        return Provenance(Source.IMPORT, Distribution.GROUP, actors.bases["publiek-privaat"],
                          observed, group=actors.group, reliability=SourceReliability.B,
                          credibility=Credibility.PERSONALLY_KNOWN)
    return Provenance(Source.IMPORT, Distribution.ALL, actors.bases["wgs"], observed,
                      reliability=SourceReliability.A, credibility=Credibility.KNOWN)


def generate(seed: int, scale: int) -> Iterator[Record]:
    """Yield partner records for ``scale`` companies and what surrounds them."""
    rng = random.Random(f"havenbeeld-registry-{seed}")
    variants = Variants(rng)
    actors = _actors()
    now = timezone.now()
    used_names: set[str] = set()
    used_rsin: set[str] = set()
    kvk_numbers = rng.sample(range(10_000_000, 99_999_999), scale)
    cities = list(vocab.STREETS)
    flex_offices = []
    for i in range(max(1, scale // 40)):
        city = "Rotterdam" if i % 3 else rng.choice(cities)
        street, prefix = rng.choice(vocab.STREETS[city])
        flex_offices.append((street, str(rng.randrange(1, 300)), _postcode(rng, prefix), city))

    persons = []
    for p in range(max(2, scale * 3 // 4)):
        persons.append((f"person-{p}", rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES),
                        _date(rng, 1950, 2003)))

    def prov(who: str) -> Provenance:
        return _provenance(actors, who, rng, now)

    # Persons as the police know them (and, as directors, as the register knows them).
    for key, first, last, born in persons:
        if rng.random() < 0.35:
            yield Record(key, ObjectKind.PERSON, actors.police,
                         [Fact(Property.NAME, variants.person(first, last)),
                          Fact(Property.BIRTH_DATE, born.isoformat())], prov("police"),
                         key=f"police:{key}")
        # The Handelsregister keeps a director's date of birth; a few entries lack it.
        yield Record(key, ObjectKind.PERSON, actors.riec,
                     [Fact(Property.NAME, f"{first} {last}")]
                     + ([Fact(Property.BIRTH_DATE, born.isoformat())] if rng.random() < 0.92
                        else []), prov("riec"), key=f"riec:{key}")

    containers_left = 0
    shippers_seen: set[str] = set()
    for c in range(scale):
        key = f"company-{c}"
        base = _company_base(rng, used_names, cities)
        used_names.add(base)
        form = rng.choice(vocab.LEGAL_FORMS)
        name = f"{base} {form}"
        kvk = f"{kvk_numbers[c]:08d}"
        rsin = _rsin(rng, used_rsin)
        founded = _date(rng, 1975, 2025)
        sbi = rng.choice(vocab.SBI_CODES)
        if rng.random() < 0.3:
            street, number, postcode, city = rng.choice(flex_offices)
        else:
            city = rng.choice(cities)
            street, prefix = rng.choice(vocab.STREETS[city])
            number, postcode = str(rng.randrange(1, 400)), _postcode(rng, prefix)
        house_number = number
        register = Record(key, ObjectKind.COMPANY, actors.riec, [
            Fact(Property.NAME, name), Fact(Property.IDENTIFIER, kvk, scheme="kvk"),
            Fact(Property.IDENTIFIER, rsin, scheme="rsin"),
            Fact(Property.FOUNDED, founded.isoformat()), Fact(Property.SBI, f"{sbi[0]} {sbi[1]}"),
            Fact(Property.STREET, street), Fact(Property.HOUSE_NUMBER, number),
            Fact(Property.POSTCODE, postcode), Fact(Property.CITY, city)], prov("riec"),
            key=f"riec:{key}")
        start = founded
        for _d in range(rng.choice((1, 1, 1, 2, 3))):
            person_key, first, last, _born = rng.choice(persons)
            until = None
            if rng.random() < 0.3:
                until = min(start + dt.timedelta(days=rng.randrange(200, 3000)), now.date())
            register.relations.append((RelationType.DIRECTOR_OF, f"riec:{person_key}", name,
                                       start, until))
            start = until or start
        yield register

        importer = rng.random() < 0.6
        if importer:
            facts = [Fact(Property.NAME, variants.company(base, form))]
            if rng.random() < 0.8:
                facts.append(Fact(Property.IDENTIFIER, "NL" + rsin, scheme="eori"))
            if rng.random() < 0.4:
                facts.append(Fact(Property.IDENTIFIER, kvk, scheme="kvk"))
            facts += [Fact(Property.STREET, street), Fact(Property.HOUSE_NUMBER, number),
                      Fact(Property.POSTCODE, variants.postcode(postcode)),
                      Fact(Property.CITY, city)]
            customs_record = Record(key, ObjectKind.COMPANY, actors.customs, facts,
                                    prov("customs"), key=f"customs:{key}")
            if rng.random() < 0.25:
                # Customs' own risk notes: police and RIEC get a hit, not the content.
                own = _provenance(actors, "customs", rng, now)
                own = Provenance(own.source, Distribution.OWN, own.legal_basis, own.observed_at,
                                 reliability=own.reliability, credibility=own.credibility)
                customs_record.extra.append(([
                    Fact(Property.NOTE, rng.choice(vocab.CUSTOMS_NOTES))
                    for _n in range(rng.choice((1, 2, 3)))], own))
            yield customs_record
            containers_left += rng.choice((1, 2, 3))
        if rng.random() < 0.15:
            facts = [Fact(Property.NAME, variants.company(base, form))]
            if rng.random() < 0.5:
                facts.append(Fact(Property.IDENTIFIER, kvk, scheme="kvk"))
            elif rng.random() < 0.8:  # the visiting address written in a report
                facts += [Fact(Property.STREET, street), Fact(Property.HOUSE_NUMBER, number),
                          Fact(Property.POSTCODE, variants.postcode(postcode)),
                          Fact(Property.CITY, city)]
            yield Record(key, ObjectKind.COMPANY, actors.police, facts, prov("police"),
                         key=f"police:{key}")

        # Bookings: the shipping line's consignee record and its containers.
        for _b in range(containers_left):
            containers_left -= 1
            ckey = f"container-{c}-{_b}"
            owner = rng.choice(vocab.CONTAINER_OWNERS)
            serial = f"{owner}{rng.randrange(0, 999_999):06d}"
            number = serial + iso6346.calc_check_digit(serial)
            shipper_index = rng.randrange(len(vocab.FOREIGN_SHIPPERS))
            shipper, origin, country = vocab.FOREIGN_SHIPPERS[shipper_index]
            shipper_key = f"shipping:shipper-{shipper_index}"
            if shipper_key not in shippers_seen:
                shippers_seen.add(shipper_key)
                yield Record(f"shipper-{shipper_index}", ObjectKind.COMPANY, actors.shipping, [
                    Fact(Property.NAME, shipper), Fact(Property.CITY, origin),
                    Fact(Property.COUNTRY, country)], prov("shipping"), key=shipper_key)
            cargo = rng.choice(vocab.CARGO)
            yield Record(ckey, ObjectKind.CONTAINER, actors.shipping, [
                Fact(Property.IDENTIFIER, number, scheme="container"),
                Fact(Property.CONTAINER_TYPE, rng.choice(vocab.CONTAINER_TYPES)),
                Fact(Property.CARGO, cargo), Fact(Property.ORIGIN, origin)], prov("shipping"),
                relations=[(RelationType.SHIPPER_OF, shipper_key, number, None, None)],
                key=f"shipping:{ckey}")
            consignee_key = f"shipping:consignee-{c}"
            if _b == 0:
                # The booking's consignee address, as the forwarder typed it.
                consignee = [Fact(Property.NAME, variants.company(base, form)),
                             Fact(Property.CITY, city)]
                if rng.random() < 0.9:
                    consignee += [Fact(Property.STREET, street),
                                  Fact(Property.HOUSE_NUMBER, house_number),
                                  Fact(Property.POSTCODE, variants.postcode(postcode))]
                yield Record(key, ObjectKind.COMPANY, actors.shipping,
                             consignee, prov("shipping"), relations=[
                                 (RelationType.CONSIGNEE_OF, f"shipping:{ckey}", number,
                                  None, None)], key=consignee_key)
            if rng.random() < 0.3:
                yield Record(ckey, ObjectKind.CONTAINER, actors.customs, [
                    Fact(Property.IDENTIFIER, number.lower(), scheme="container"),
                    Fact(Property.CARGO, cargo)], prov("customs"), key=f"customs:{ckey}")

    for v in range(max(1, scale // 20)):
        key = f"vessel-{v}"
        first = f"{rng.randrange(900_000, 999_999):06d}"
        number = first + imo.calc_check_digit(first)
        mmsi = f"{rng.choice(('244', '245', '246', '636', '538'))}{rng.randrange(0, 999_999):06d}"
        name = f"{rng.choice(vocab.VESSEL_PREFIXES)} {rng.choice(vocab.VESSEL_SUFFIXES)}"
        yield Record(key, ObjectKind.VESSEL, actors.harbour, [
            Fact(Property.NAME, name), Fact(Property.IDENTIFIER, number, scheme="imo"),
            Fact(Property.IDENTIFIER, mmsi, scheme="mmsi"),
            Fact(Property.FLAG, rng.choice(vocab.FLAGS))], prov("harbour"),
            key=f"harbour:{key}")
        if rng.random() < 0.4:
            yield Record(key, ObjectKind.VESSEL, actors.customs, [
                Fact(Property.NAME, name.upper()),
                Fact(Property.IDENTIFIER, f"IMO {number}", scheme="imo")], prov("customs"),
                key=f"customs:{key}")


def is_built(seed: int) -> bool:
    return PlantedEntity.objects.filter(seed=seed).exists()


def build(seed: int, scale: int) -> dict[str, int]:
    """Create the second layer once per seed (all or nothing). Returns counts."""
    if is_built(seed):
        return {"objects": RegistryObject.objects.count(), "pieces": Piece.objects.count()}
    keyed: dict[str, RegistryObject] = {}
    pending_relations: list[tuple[Record, RelationType, str, str, dt.date | None,
                                  dt.date | None]] = []
    with transaction.atomic():
        batch: list[Record] = []
        for record in generate(seed, scale):
            batch.append(record)
            if len(batch) >= CHUNK:
                _save(batch, keyed, pending_relations, seed)
                batch = []
        if batch:
            _save(batch, keyed, pending_relations, seed)
        _save_relations(pending_relations, keyed)
    return {"objects": RegistryObject.objects.count(), "pieces": Piece.objects.count()}


def _save(batch: list[Record], keyed: dict[str, RegistryObject],
          pending: list, seed: int) -> None:
    objects = RegistryObject.objects.bulk_create(
        [RegistryObject(kind=r.kind) for r in batch])
    pieces: list[Piece] = []
    for record, obj in zip(batch, objects, strict=True):
        keyed[record.key] = obj
        pieces += build_pieces(actor=record.actor, obj=obj, facts=record.facts,
                               provenance=record.provenance)
        for facts, provenance in record.extra:
            pieces += build_pieces(actor=record.actor, obj=obj, facts=facts,
                                   provenance=provenance)
        for relation in record.relations:
            pending.append((record, *relation))
    save_pieces(pieces, batch_size=CHUNK, notify=False)
    PlantedEntity.objects.bulk_create(
        [PlantedEntity(object=obj, entity_key=r.entity_key, seed=seed)
         for r, obj in zip(batch, objects, strict=True)])


def _save_relations(pending: list, keyed: dict[str, RegistryObject]) -> None:
    pieces: list[Piece] = []
    for record, relation, target_key, label, valid_from, valid_until in pending:
        source = keyed[record.key]
        target = keyed.get(target_key)
        if target is None or target.pk == source.pk:
            continue
        if relation in (RelationType.DIRECTOR_OF, RelationType.SHIPPER_OF):
            # Stated on the company (or booking) record, but the relation runs from the person
            # (or shipper): director of the company, shipper of the container.
            source, target = target, source
        fact = Fact(Property.RELATION, label, relation=relation, target=target,
                    valid_from=valid_from, valid_until=valid_until)
        pieces += build_pieces(actor=record.actor, obj=source, facts=[fact],
                               provenance=record.provenance)
    save_pieces(pieces, batch_size=CHUNK, notify=False)
