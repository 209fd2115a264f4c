"""Fill a large registry for ``registry_bench.py --objects N --pieces M`` directly through SQL.

    .venv/bin/python bench/registry_fill.py --objects 1000000 --pieces 10000000 \
        --database-url sqlite:///var/bench/registry-1000000.sqlite3   (or postgres://…)

Runs ``migrate`` and builds the demo world's first layer (ports, organisations with the demo
users, legal bases, the terminal-security collaboration group), then writes ``--objects``
registry objects with about ``--pieces`` pieces as the partners of the demo world would have
told them — the RIEC from the Handelsregister (all participants), Customs (convenant, its own
notes kept to itself), the police (convenant or own), the shipping line and the terminal (the
collaboration group or own), the harbour master (all), the municipality (convenant or own) and
FIOD/KMar (own, convenant) — with relations (director of, consignee of, shipper of, located at,
holds account, keeper of, operates vessel), a few corrections and retractions, the name tokens
``registry.services.save_pieces`` writes, and the resolution clusters of the planted entities.

Values are generated quickly, but every normalised form is computed by the platform's own
functions exactly as ``registry.services.build_pieces`` would (``names.name_key`` for names and
relation labels, ``identifiers.normalise`` for identifiers, postcodes and the derived address
key, ISO dates, ``casefold`` for the rest). Rows go in with ``executemany`` in large
transactions (SQLite) or ``COPY`` (PostgreSQL); the non-unique indexes (and, on PostgreSQL, the
foreign keys) are dropped around the load and recreated from their own definitions, and the
schema afterwards is compared with the migrated one. ANALYZE and ``PRAGMA optimize`` (SQLite)
or VACUUM (ANALYZE) (PostgreSQL: it also sets the visibility map of the fresh tables) close.

Generation runs in ``--workers`` processes, one chunk of ``--chunk`` objects at a time; object
ids are contiguous and piece ids are allocated in blocks per chunk. The figures of the fill go
to ``--marker`` (JSON), which ``registry_bench.py --reuse`` reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import resource
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PIECE_COLUMNS = (
    "id", "object_id", "property", "scheme", "relation", "target_id", "value",
    "value_normalised", "valid_from", "valid_until", "organisation_id", "source", "observed_at",
    "recorded_at", "recorded_by_id", "distribution", "group_id", "legal_basis_id",
    "retain_until", "reliability", "credibility", "corrects_id", "retracts",
    "pseudonymous_in", "idempotency_key",
)
OBJECT_COLUMNS = ("id", "kind", "created_at")
TOKEN_COLUMNS = ("token", "piece_id", "object_id")
CLUSTER_COLUMNS = ("object_id", "cluster")
PAIR_COLUMNS = ("left_id", "right_id", "kind", "status", "method", "match_weight",
                "probability", "evidence", "created_at", "updated_at")
TABLES = {
    "registry_object": OBJECT_COLUMNS,
    "registry_piece": PIECE_COLUMNS,
    "registry_name_token": TOKEN_COLUMNS,
    "resolution_cluster": CLUSTER_COLUMNS,
    "resolution_pair": PAIR_COLUMNS,
}
NAME_PROPERTIES = ("name", "trade_name")
# Who tells what, as in the demo world (demo/registry_world.py): organisation, source,
# distribution(s), legal basis, reliability, credibility.
PARTNERS = {
    "riec": ("RIEC Rotterdam", "import", "openbaar-register", "A", "1"),
    "customs": ("Douane Rotterdam Rijnmond", "import", "awr-douane", "A", "2"),
    "police": ("Politie Eenheid Rotterdam – Zeehavenpolitie", "manual", "wpg", "B", "3"),
    "shipping": ("Noordstroom Lijndienst B.V.", "import", "publiek-privaat", "B", "2"),
    "terminal": ("Kaaiwacht Container Terminal B.V.", "manual", "publiek-privaat", "B", "2"),
    "harbour": ("Divisie Havenmeester Rotterdam", "import", "wgs", "A", "1"),
    "municipality": ("Gemeente Rotterdam", "manual", "avg-publieke-taak", "B", "2"),
    "fiod": ("Belastingdienst / FIOD", "manual", "awr-douane", "B", "3"),
    "kmar": ("Koninklijke Marechaussee – Brigade Zeehavens", "manual", "wpg", "B", "3"),
}
RECORDERS = {
    "riec": "analist@riec-rotterdam.example",
    "customs": "analist@douane-rotterdam.example",
    "police": "analist@zeehavenpolitie.example",
    "shipping": "security@noordstroom-lijndienst.example",
    "terminal": "meldkamer@kaaiwacht-terminal.example",
    "harbour": "vaarwegen@havenmeester-rotterdam.example",
    "municipality": "handhaving@gemeente-rotterdam.example",
}
NATIONALITIES = ("Nederlandse",) * 6 + ("Marokkaanse", "Turkse", "Surinaamse", "Colombiaanse",
                                        "Albanese", "Belgische", "Servische", "Ecuadoraanse")
VESSEL_TYPES = ("containerschip", "feeder", "bulkcarrier", "tanker", "reefer", "sleepboot")
POLICE_NOTES = (
    "Gezien bij afhaling container buiten openingstijden (fictief)",
    "Betrokken bij eerdere invoer van verdovende middelen (fictief)",
    "Contacten met bekende uithalers (fictief)",
    "Voertuig aangetroffen op terminalterrein zonder pas (fictief)",
)
MUNICIPAL_NOTES = (
    "Bibob-onderzoek gestart bij vergunningaanvraag (fictief)",
    "Integrale controle: pand leeg aangetroffen (fictief)",
    "Melding leegstand bedrijfspand (fictief)",
    "Exploitatievergunning verlopen (fictief)",
)
TERMINAL_NOTES = (
    "Container gecontroleerd na afwijkende aanmelding (fictief)",
    "Zegel beschadigd bij aankomst (fictief)",
    "Uithaler aangetroffen bij container (fictief)",
)
FIOD_NOTES = ("Lopend boekenonderzoek (fictief)", "Afwijkende geldstromen (fictief)")
PREVIOUS_NAME_WORDS = ("Beheer", "Groep", "Services", "International", "Nederland", "Europe")
LETTERS = "ABCDEGHJKLMNPRTVWXZ"


# --- Django and the demo world's first layer --------------------------------------------------

def django_setup(database_url: str, bench_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("HAVENBEELD_ENV", "development")
    os.environ["HAVENBEELD_TASK_BACKEND"] = "immediate"
    os.environ["HAVENBEELD_VAR_DIR"] = str(bench_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
    import django

    django.setup()


def world_context(seed: int) -> dict:
    """Organisations, users, legal bases and the group; everything a worker needs as ids."""
    from django.utils import timezone

    from havenbeeld.accounts.models import Organisation, User
    from havenbeeld.demo import registry_world, world
    from havenbeeld.registry.services import retention_days
    from havenbeeld.sharing import legal_bases
    from havenbeeld.sharing.models import LegalBasis

    legal_bases.seed()
    world.build(seed=seed, scale=0)  # ports, organisations, demo users with TOTP devices
    actors = registry_world._actors()  # the terminal-security collaboration group
    orgs = {key: Organisation.objects.get(name=spec[0]).pk for key, spec in PARTNERS.items()}
    users = {key: User.objects.get(email=email).pk for key, email in RECORDERS.items()}
    bases = {b.code: b for b in LegalBasis.objects.all()}
    partners = {}
    for key, (_name, source, basis, reliability, credibility) in PARTNERS.items():
        partners[key] = {"org": orgs[key], "source": source, "basis": bases[basis].pk,
                         "days": retention_days(bases[basis], source),
                         "reliability": reliability, "credibility": credibility,
                         "user": users.get(key)}
    return {"now": timezone.now().replace(microsecond=0), "partners": partners,
            "group": actors.group.pk, "seed": seed}


# --- Generation -------------------------------------------------------------------------------

class Chunk:
    """Rows of one chunk of objects: ids from ``object_base``+1 and ``piece_base``+1."""

    def __init__(self, ctx: dict, index: int, objects: int, object_base: int, piece_base: int,
                 piece_block: int, pieces_per_object: float, vendor: str) -> None:
        from havenbeeld.demo import vocab
        from havenbeeld.demo.registry_world import Variants

        self.ctx = ctx
        self.vocab = vocab
        self.index = index
        self.capacity = objects
        self.object_base = object_base
        self.next_object = object_base
        self.piece_base = piece_base
        self.piece_limit = piece_base + piece_block
        self.next_piece = piece_base
        self.ratio = pieces_per_object
        self.vendor = vendor
        self.rng = random.Random(f"havenbeeld-registry-bench-{ctx['seed']}-{index}")
        self.variants = Variants(self.rng)
        self.now = ctx["now"]
        self.today = self.now.date()
        self.objects: list[tuple] = []
        self.pieces: list[tuple] = []
        self.tokens: list[tuple] = []
        self.clusters: list[tuple] = []
        self.pairs: list[tuple] = []
        self.persons: list[tuple[int, str, str, dt.date]] = []  # directors, for reuse
        self.companies: list[tuple[int, str]] = []
        # Objects each partner told, for later observations (``top_up``).
        self.told: dict[str, list[tuple[int, object]]] = {
            "riec": [], "customs": [], "police": [], "shipping": [], "municipality": [],
            "terminal": []}
        self.shippers: list[tuple[int, str, str]] = []
        self.names: dict[str, str] = {}
        self.counter = 0  # entities of this chunk, for unique numbers
        self.stats = {"pieces": 0, "name_keys": 0}

    # Normalisation, exactly as build_pieces does it ----------------------------------------

    def name_key(self, value: str) -> str:
        key = self.names.get(value)
        if key is None:
            from havenbeeld.registry.names import name_key

            key = self.names[value] = name_key(value)
            self.stats["name_keys"] += 1
        return key

    @staticmethod
    def identifier(scheme: str, raw: str) -> tuple[str, str]:
        from havenbeeld.registry.identifiers import normalise

        found = normalise(scheme, raw)
        return found.display, found.value

    def _normalised(self, prop: str, raw: str, scheme: str) -> tuple[str, str]:
        if prop == "identifier":
            return self.identifier(scheme, raw)
        if prop in NAME_PROPERTIES:
            return raw, self.name_key(raw)
        if prop == "postcode":
            return self.identifier("postcode", raw)
        if prop in ("founded", "dissolved", "birth_date"):
            iso = dt.date.fromisoformat(raw).isoformat()
            return iso, iso
        if prop == "registration":
            shown = raw.upper()
            return shown, "".join(ch for ch in shown if ch.isalnum())[:255]
        return raw, raw.casefold()[:255]

    # Provenance ----------------------------------------------------------------------------

    def provenance(self, who: str, distribution: str, *, back_days: int | None = None) -> tuple:
        """One build_pieces call's provenance, formatted once for all its pieces."""
        partner = self.ctx["partners"][who]
        days = partner["days"]
        span = back_days or max(30, days - 60)
        observed = self.now - dt.timedelta(days=self.rng.randrange(1, span),
                                           minutes=self.rng.randrange(1440))
        recorded = min(self.now, observed + dt.timedelta(days=self.rng.randrange(0, 20),
                                                         minutes=self.rng.randrange(600)))
        retain = (recorded + dt.timedelta(days=days)).date().isoformat()
        return (partner["org"], partner["source"], self.stamp(observed), self.stamp(recorded),
                partner["user"], distribution,
                self.ctx["group"] if distribution == "group" else None, partner["basis"],
                retain, partner["reliability"], partner["credibility"])

    def stamp(self, moment: dt.datetime) -> str:
        text = moment.strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00" if self.vendor == "postgresql" else text

    # Rows ----------------------------------------------------------------------------------

    def new_object(self, kind: str) -> int:
        self.next_object += 1
        assert self.next_object <= self.object_base + self.capacity
        self.objects.append((self.next_object, kind, self.stamp(self.now)))
        return self.next_object

    def piece(self, obj: int, prop: str, shown: str, normalised: str, prov: tuple, *,
              scheme: str = "", relation: str = "", target: int | None = None,
              valid_from: dt.date | None = None, valid_until: dt.date | None = None,
              corrects: int | None = None, retracts: bool = False) -> int:
        self.next_piece += 1
        pk = self.next_piece
        if pk > self.piece_limit:
            raise RuntimeError("piece block of the chunk is full; raise the block size")
        (org, source, observed, recorded, user, distribution, group, basis, retain,
         reliability, credibility) = prov
        self.pieces.append((
            pk, obj, prop, scheme, relation, target, shown, normalised,
            valid_from.isoformat() if valid_from else None,
            valid_until.isoformat() if valid_until else None,
            org, source, observed, recorded, user, distribution, group, basis, retain,
            reliability, credibility, corrects, retracts, "", None))
        if prop in NAME_PROPERTIES:
            self.tokens += [(word[:64], pk, obj) for word in set(normalised.split())]
        return pk

    def facts(self, obj: int, facts: list[tuple], prov: tuple, *,
              valid_until: dt.date | None = None) -> dict[str, int]:
        """build_pieces for ``facts`` (property, raw value, scheme): the pieces plus the derived
        address key (without the facts' period, as ``_derived_facts`` makes it) when the call
        has exactly one postcode and one house number."""
        ids = {}
        postcodes = [raw for prop, raw, _s in facts if prop == "postcode"]
        numbers = [raw for prop, raw, _s in facts if prop == "house_number"]
        for prop, raw, scheme in facts:
            shown, normalised = self._normalised(prop, raw, scheme)
            ids[prop if prop != "identifier" else scheme] = self.piece(
                obj, prop, shown, normalised, prov, scheme=scheme, valid_until=valid_until)
        if len(postcodes) == 1 and len(numbers) == 1:
            from havenbeeld.registry.identifiers import InvalidIdentifier, normalise

            try:
                key = normalise("address", f"{postcodes[0]} {numbers[0]}")
            except InvalidIdentifier:
                return ids
            shown, normalised = self.identifier("address", key.value)
            ids["address"] = self.piece(obj, "identifier", shown, normalised, prov,
                                        scheme="address")
        return ids

    def relation(self, obj: int, relation: str, target: int, label: str, prov: tuple, *,
                 valid_from: dt.date | None = None, valid_until: dt.date | None = None) -> int:
        shown = label[:300]
        return self.piece(obj, "relation", shown, self.name_key(shown), prov,
                          relation=relation, target=target, valid_from=valid_from,
                          valid_until=valid_until)

    def cluster(self, kind: str, members: list[int], method: str = "identifier") -> None:
        """The planted entity as resolution would have linked it: one cluster, linked pairs."""
        if len(members) < 2:
            return
        first = min(members)
        stamp = self.stamp(self.now)
        for member in sorted(members):
            self.clusters.append((member, first))
            if member != first:
                self.pairs.append((first, member, kind, "linked", method, 12.5, 0.9997, "[]",
                                   stamp, stamp))

    # Values --------------------------------------------------------------------------------

    def address(self) -> tuple[str, str, str, str]:
        rng = self.rng
        city = rng.choice(list(self.vocab.STREETS))
        street, prefix = rng.choice(self.vocab.STREETS[city])
        while True:
            letters = rng.choice(LETTERS) + rng.choice(LETTERS)
            if letters not in {"SA", "SD", "SS"}:
                break
        postcode = f"{prefix}{letters}" if rng.random() < 0.7 else f"{prefix} {letters}"
        return street, str(rng.randrange(1, 400)), postcode, city

    def postcode_variant(self, code: str) -> str:
        from havenbeeld.registry.identifiers import InvalidIdentifier, normalise

        varied = self.variants.postcode(code.replace(" ", ""))
        try:
            normalise("postcode", varied)
        except InvalidIdentifier:
            return code
        return varied

    def coined(self, low: int = 2, high: int = 3) -> str:
        from havenbeeld.resolution.synthetic import _SYLLABLES

        return "".join(self.rng.choice(_SYLLABLES)
                       for _ in range(self.rng.randint(low, high))).capitalize()

    def company_base(self) -> str:
        rng, vocab = self.rng, self.vocab
        roll = rng.random()
        if roll < 0.4:
            return f"{self.coined()} {rng.choice(vocab.COMPANY_CORES)}"
        if roll < 0.7:
            return (f"{rng.choice(vocab.COMPANY_PREFIXES)} {self.coined()} "
                    f"{rng.choice(vocab.COMPANY_CORES)}")
        if roll < 0.85:
            return f"{rng.choice(vocab.FAMILY_FIRMS)} {self.coined()}"
        return f"{rng.choice(vocab.COMPANY_PREFIXES)} {rng.choice(vocab.COMPANY_CORES)}"

    def person_name(self) -> tuple[str, str]:
        rng, vocab = self.rng, self.vocab
        if rng.random() < 0.5:
            return rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
        first = self.coined()
        last = self.coined(2, 4)
        if rng.random() < 0.25:
            last = f"{rng.choice(('van', 'de', 'van de', 'van der', 'van den', 'ter'))} {last}"
        return first, last

    def date(self, first_year: int, last_year: int) -> dt.date:
        start = dt.date(first_year, 1, 1).toordinal()
        end = min(dt.date(last_year, 12, 31), self.today).toordinal()
        return dt.date.fromordinal(self.rng.randrange(start, end))

    def unique_number(self) -> int:
        """A number unique over the whole fill (each call brings at least one object of the
        chunk's own id range): KvK numbers and container numbers never repeat."""
        self.counter += 1
        return self.object_base + self.counter

    def kvk(self, number: int) -> str:
        # A bijection of 0…89,999,999 (7,654,321 is coprime with 90,000,000): unique KvKs.
        return f"{10_000_000 + (number * 7_654_321 + 12_345) % 90_000_000:08d}"

    def rsin(self) -> str:
        from stdnum.nl import bsn

        while True:
            first = f"{self.rng.randrange(10_000_000, 99_999_999):08d}"
            for last in "0123456789":
                if bsn.checksum(first + last) == 0:
                    return first + last

    def container_number(self) -> str:
        from stdnum import iso6346

        number = self.unique_number()
        owner = self.vocab.CONTAINER_OWNERS[number % len(self.vocab.CONTAINER_OWNERS)]
        serial = f"{owner}{(number // 6 * 7919 + 13) % 1_000_000:06d}"
        return serial + iso6346.calc_check_digit(serial)

    def iban(self) -> str:
        bank = self.rng.choice(("ABNA", "INGB", "RABO", "TRIO", "BUNQ", "SNSB"))
        account = f"{self.rng.randrange(10**9, 10**10):010d}"
        digits = "".join(str(int(ch, 36)) for ch in bank + account + "NL00")
        check = 98 - int(digits) % 97
        return f"NL{check:02d}{bank}{account}"

    def plate(self) -> str:
        rng = self.rng
        return (f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}-{rng.randrange(100, 999)}-"
                f"{rng.choice(LETTERS)}")

    # Entities --------------------------------------------------------------------------------

    def person(self, first: str, last: str, born: dt.date) -> int:
        """A director as the Handelsregister knows them; sometimes also the police, KMar."""
        rng = self.rng
        riec = self.new_object("person")
        facts = [("name", f"{first} {last}", "")]
        if rng.random() < 0.92:
            facts.append(("birth_date", born.isoformat(), ""))
        if rng.random() < 0.5:
            facts.append(("city", rng.choice(list(self.vocab.STREETS)), ""))
        self.facts(riec, facts, self.provenance("riec", "all"))
        members = [riec]
        if rng.random() < 0.3:
            members.append(self.police_person(first, last, born))
        if rng.random() < 0.04:
            kmar = self.new_object("person")
            self.facts(kmar, [("name", self.variants.person(first, last), ""),
                              ("birth_date", born.isoformat(), ""),
                              ("nationality", rng.choice(NATIONALITIES), "")],
                       self.provenance("kmar", "convenant"))
            members.append(kmar)
        self.cluster("person", members, "model")
        return riec

    def police_person(self, first: str, last: str, born: dt.date) -> int:
        rng = self.rng
        obj = self.new_object("person")
        distribution = "convenant" if rng.random() < 0.6 else "own"
        facts = [("name", self.variants.person(first, last), ""),
                 ("birth_date", born.isoformat(), "")]
        if rng.random() < 0.6:
            street, number, postcode, city = self.address()
            facts += [("street", street, ""), ("house_number", number, ""),
                      ("postcode", postcode, ""), ("city", city, "")]
        if rng.random() < 0.5:
            facts.append(("nationality", rng.choice(NATIONALITIES), ""))
        self.facts(obj, facts, self.provenance("police", distribution))
        self.told["police"].append((obj, f"{first} {last}"))
        if rng.random() < 0.35:
            self.facts(obj, [("note", rng.choice(POLICE_NOTES), "")],
                       self.provenance("police", "own"))
        room = self.object_base + self.capacity - self.next_object
        if rng.random() < 0.08 and room > 0:
            vehicle = self.new_object("vehicle")
            plate = self.plate()
            self.facts(vehicle, [("registration", plate, "")],
                       self.provenance("police", distribution))
            self.relation(obj, "keeper_of", vehicle, plate,
                          self.provenance("police", distribution))
        return obj

    def company(self) -> None:
        rng, vocab = self.rng, self.vocab
        base = self.company_base()
        form = rng.choice(vocab.LEGAL_FORMS)
        name = f"{base} {form}"
        kvk = self.kvk(self.unique_number())
        rsin = self.rsin()
        founded = self.date(1975, 2025)
        street, number, postcode, city = self.address()
        register = self.new_object("company")
        members = [register]
        sbi = rng.choice(vocab.SBI_CODES)
        facts = [("name", name, ""), ("identifier", kvk, "kvk"), ("identifier", rsin, "rsin"),
                 ("legal_form", form, ""), ("founded", founded.isoformat(), ""),
                 ("sbi", f"{sbi[0]} {sbi[1]}", ""), ("street", street, ""),
                 ("house_number", number, ""), ("postcode", postcode, ""), ("city", city, ""),
                 ("country", "Nederland", "")]
        if rng.random() < 0.5:
            facts.append(("identifier", f"{kvk}{rng.randrange(0, 9999):04d}", "vestiging"))
        if rng.random() < 0.3:
            facts.append(("trade_name", f"{self.coined()} {rng.choice(vocab.COMPANY_CORES)}",
                          ""))
        if rng.random() < 0.3:
            other = rng.choice(vocab.SBI_CODES)
            facts.append(("sbi", f"{other[0]} {other[1]}", ""))
        if rng.random() < 0.04:
            facts.append(("dissolved", self.date(max(founded.year, 2015), 2026).isoformat(),
                          ""))
        register_prov = self.provenance("riec", "all")
        self.facts(register, facts, register_prov)
        self.companies.append((register, name))
        self.told["riec"].append((register, name))
        # Directors over time (the relation runs from the person to the company).
        start = founded
        for _d in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if self.persons and rng.random() < 0.2:
                person, first, last, born = rng.choice(self.persons)
            else:
                first, last = self.person_name()
                born = self.date(1950, 2003)
                person = self.person(first, last, born)
                self.persons.append((person, first, last, born))
            until = None
            if rng.random() < 0.3:
                until = min(start + dt.timedelta(days=rng.randrange(200, 3000)), self.today)
            self.relation(person, "director_of", register, name, register_prov,
                          valid_from=start, valid_until=until)
            start = until or start
        # Customs: importers, in a spelling of their own.
        importer = rng.random() < 0.55
        customs = None
        if importer:
            customs = self.new_object("company")
            members.append(customs)
            cfacts = [("name", self.variants.company(base, form), "")]
            if rng.random() < 0.8:
                cfacts.append(("identifier", "NL" + rsin, "eori"))
            if rng.random() < 0.4:
                cfacts.append(("identifier", kvk, "kvk"))
            if rng.random() < 0.3:
                cfacts.append(("identifier", f"NL{rsin}B01", "btw"))
            cfacts += [("street", street, ""), ("house_number", number, ""),
                       ("postcode", self.postcode_variant(postcode), ""), ("city", city, "")]
            cprov = self.provenance("customs", "convenant")
            cids = self.facts(customs, cfacts, cprov)
            self.told["customs"].append((customs, (base, form)))
            if rng.random() < 0.03:  # Customs corrects the postcode it recorded
                shown, normalised = self.identifier("postcode", postcode)
                self.piece(customs, "postcode", shown, normalised, cprov,
                           corrects=cids["postcode"])
            if rng.random() < 0.3:
                own = self.provenance("customs", "own")
                for _n in range(rng.choice((1, 2, 3))):
                    self.facts(customs, [("note", rng.choice(vocab.CUSTOMS_NOTES), "")], own)
        if rng.random() < 0.15:
            police = self.new_object("company")
            members.append(police)
            pprov = self.provenance("police", "convenant" if rng.random() < 0.6 else "own")
            pfacts = [("name", self.variants.company(base, form), "")]
            if rng.random() < 0.5:
                pfacts.append(("identifier", kvk, "kvk"))
            else:
                pfacts += [("street", street, ""), ("house_number", number, ""),
                           ("postcode", self.postcode_variant(postcode), ""),
                           ("city", city, "")]
            if rng.random() < 0.4:
                pfacts.append(("note", rng.choice(POLICE_NOTES), ""))
            pids = self.facts(police, pfacts, pprov)
            self.told["police"].append((police, name))
            if rng.random() < 0.02:  # a retracted note or name
                retracted = pids.get("note") or pids["name"]
                # As retract_piece writes it: a note, no normalised value.
                self.piece(police, "note", "Onjuist geregistreerd (fictief)", "", pprov,
                           corrects=retracted, retracts=True)
        if rng.random() < 0.04:
            fiod = self.new_object("company")
            members.append(fiod)
            self.facts(fiod, [("name", name.upper(), ""), ("identifier", kvk, "kvk"),
                              ("identifier", rsin, "rsin"),
                              ("note", rng.choice(FIOD_NOTES), "")],
                       self.provenance("fiod", "own" if rng.random() < 0.7 else "convenant"))
        if rng.random() < 0.1:  # the municipality's premises file
            premises = self.new_object("address")
            distribution = "convenant" if rng.random() < 0.7 else "own"
            mprov = self.provenance("municipality", distribution)
            self.facts(premises, [("street", street, ""), ("house_number", number, ""),
                                  ("postcode", postcode, ""), ("city", city, ""),
                                  ("note", rng.choice(MUNICIPAL_NOTES), "")], mprov)
            self.told["municipality"].append((premises, street))
            self.relation(register, "located_at", premises, f"{street} {number}", mprov)
        if rng.random() < 0.05:
            account = self.new_object("bank_account")
            iban = self.iban()
            aprov = self.provenance("police", "convenant" if rng.random() < 0.6 else "own")
            self.facts(account, [("identifier", iban, "iban")], aprov)
            self.relation(register, "holds_account", account,
                          self.identifier("iban", iban)[0], aprov)
        # Bookings: the shipping line's consignee, containers and their shippers.
        if importer and rng.random() < 0.4:
            self.bookings(base, form, street, number, postcode, city, customs)
        self.cluster("company", members)

    def bookings(self, base: str, form: str, street: str, number: str, postcode: str,
                 city: str, customs: int | None) -> None:
        rng, vocab = self.rng, self.vocab
        consignee = self.new_object("company")
        facts = [("name", self.variants.company(base, form), ""), ("city", city, "")]
        if rng.random() < 0.9:
            facts += [("street", street, ""), ("house_number", number, ""),
                      ("postcode", self.postcode_variant(postcode), "")]
        gprov = self.provenance("shipping", "group")
        self.facts(consignee, facts, gprov)
        for _b in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if not self.shippers or rng.random() < 0.02:
                shipper_name, origin, country = rng.choice(vocab.FOREIGN_SHIPPERS)
                shipper = self.new_object("company")
                self.facts(shipper, [("name", shipper_name, ""), ("city", origin, ""),
                                     ("country", country, "")],
                           self.provenance("shipping", "group"))
                self.shippers.append((shipper, shipper_name, origin))
            shipper, _shipper_name, origin = rng.choice(self.shippers[-20:])
            number_ = self.container_number()
            container = self.new_object("container")
            cargo = rng.choice(vocab.CARGO)
            bprov = self.provenance("shipping", "group")
            self.facts(container, [("identifier", number_, "container"),
                                   ("container_type", rng.choice(vocab.CONTAINER_TYPES), ""),
                                   ("cargo", cargo, ""), ("origin", origin, "")], bprov)
            self.relation(shipper, "shipper_of", container, number_, bprov)
            self.told["shipping"].append((container, origin))
            self.relation(consignee, "consignee_of", container, number_, bprov)
            members = [container]
            if rng.random() < 0.3:
                seen = self.new_object("container")
                self.facts(seen, [("identifier", number_.lower(), "container"),
                                  ("cargo", cargo, "")], self.provenance("customs", "convenant"))
                members.append(seen)
            if rng.random() < 0.15:
                terminal = self.new_object("container")
                tprov = self.provenance("terminal", "group" if rng.random() < 0.7 else "own")
                self.facts(terminal, [("identifier", number_, "container"),
                                      ("note", rng.choice(TERMINAL_NOTES), "")], tprov)
                self.told["terminal"].append((terminal, number_))
                members.append(terminal)
            self.cluster("container", members)

    def top_up(self) -> None:
        """Later observations of an object already told, so that the fill reaches the asked
        number of pieces: the register's history of a company (a former address or name, with
        the period it held), a new Customs declaration or risk note, a police note, the
        shipping line's next booking of a container, a municipal or terminal note."""
        rng = self.rng
        who = rng.choices(("riec", "customs", "police", "shipping", "municipality",
                           "terminal"), (40, 22, 18, 12, 4, 4))[0]
        told = self.told.get(who)
        if not told:
            who, told = "riec", self.told["riec"]
        obj, label = rng.choice(told[-200:])
        if who == "riec":
            until = self.date(2000, 2025)
            prov = self.provenance("riec", "all")
            if rng.random() < 0.6:
                street, number, postcode, city = self.address()
                self.facts(obj, [("street", street, ""), ("house_number", number, ""),
                                 ("postcode", postcode, ""), ("city", city, "")], prov,
                           valid_until=until)
            else:
                former = f"{label.rsplit(' ', 1)[0]} {rng.choice(PREVIOUS_NAME_WORDS)}"
                self.piece(obj, "name", former, self.name_key(former), prov,
                           valid_until=until)
        elif who == "customs":
            if rng.random() < 0.5:
                self.facts(obj, [("note", rng.choice(self.vocab.CUSTOMS_NOTES), "")],
                           self.provenance("customs", "own"))
            else:
                base, form = label
                street, number, postcode, city = self.address()
                self.facts(obj, [("name", self.variants.company(base, form), ""),
                                 ("street", street, ""), ("house_number", number, ""),
                                 ("postcode", postcode, ""), ("city", city, "")],
                           self.provenance("customs", "convenant"))
        elif who == "police":
            self.facts(obj, [("note", rng.choice(POLICE_NOTES), "")],
                       self.provenance("police", "own" if rng.random() < 0.5 else "convenant"))
        elif who == "shipping":
            self.facts(obj, [("cargo", rng.choice(self.vocab.CARGO), ""),
                             ("origin", label, "")], self.provenance("shipping", "group"))
        elif who == "municipality":
            self.facts(obj, [("note", rng.choice(MUNICIPAL_NOTES), "")],
                       self.provenance("municipality", "convenant"))
        else:
            self.facts(obj, [("note", rng.choice(TERMINAL_NOTES), "")],
                       self.provenance("terminal", "group" if rng.random() < 0.7 else "own"))

    def vessel(self) -> None:
        from stdnum import imo

        rng, vocab = self.rng, self.vocab
        harbour = self.new_object("vessel")
        first = f"{rng.randrange(900_000, 999_999):06d}"
        number = first + imo.calc_check_digit(first)
        mmsi = f"{rng.choice(('244', '245', '246', '636', '538'))}{rng.randrange(0, 999_999):06d}"
        name = f"{rng.choice(vocab.VESSEL_PREFIXES)} {rng.choice(vocab.VESSEL_SUFFIXES)}"
        hprov = self.provenance("harbour", "all")
        self.facts(harbour, [("name", name, ""), ("identifier", number, "imo"),
                             ("identifier", mmsi, "mmsi"), ("flag", rng.choice(vocab.FLAGS), ""),
                             ("vessel_type", rng.choice(VESSEL_TYPES), "")], hprov)
        members = [harbour]
        if rng.random() < 0.4:
            customs = self.new_object("vessel")
            self.facts(customs, [("name", name.upper(), ""),
                                 ("identifier", f"IMO {number}", "imo")],
                       self.provenance("customs", "convenant"))
            members.append(customs)
        if self.companies and rng.random() < 0.3:
            operator, _label = rng.choice(self.companies)
            self.relation(operator, "operates_vessel", harbour, name,
                          self.provenance("customs", "convenant"))
        self.cluster("vessel", members)

    def single(self) -> None:
        """A one-object entity: a person only the police know, or a premises."""
        if self.rng.random() < 0.7:
            first, last = self.person_name()
            self.police_person(first, last, self.date(1950, 2005))
        else:
            street, number, postcode, city = self.address()
            premises = self.new_object("address")
            self.facts(premises, [("street", street, ""), ("house_number", number, ""),
                                  ("postcode", postcode, ""), ("city", city, ""),
                                  ("note", self.rng.choice(MUNICIPAL_NOTES), "")],
                       self.provenance("municipality",
                                       "convenant" if self.rng.random() < 0.7 else "own"))

    def generate(self) -> None:
        rng = self.rng
        end = self.object_base + self.capacity
        margin = 40  # the most objects one company entity can bring
        while end - self.next_object > margin:
            roll = rng.random()
            if roll < 0.9:
                self.company()
            elif roll < 0.95:
                self.vessel()
            else:
                self.single()
            done = self.next_object - self.object_base
            while (self.next_piece - self.piece_base) < self.ratio * done and self.companies:
                self.top_up()
        while self.next_object < end:
            self.single()
        self.stats["pieces"] = len(self.pieces)


def generate_chunk(args: tuple) -> dict:
    """Worker: one chunk's rows, ready for the loader (tuples, or COPY text on PostgreSQL)."""
    ctx, index, objects, object_base, piece_base, block, ratio, vendor = args
    chunk = Chunk(ctx, index, objects, object_base, piece_base, block, ratio, vendor)
    chunk.generate()
    rows = {"registry_object": chunk.objects, "registry_piece": chunk.pieces,
            "registry_name_token": chunk.tokens, "resolution_cluster": chunk.clusters,
            "resolution_pair": chunk.pairs}
    if vendor == "postgresql":
        rows = {table: copy_text(values) for table, values in rows.items()}
    return {"index": index, "rows": rows, "counts": {
        "objects": len(chunk.objects), "pieces": len(chunk.pieces),
        "tokens": len(chunk.tokens), "clusters": len(chunk.clusters),
        "pairs": len(chunk.pairs), "name_keys": chunk.stats["name_keys"]}}


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                    .replace("\r", "\\r"))
        return value
    return str(value)


def copy_text(rows: list[tuple]) -> bytes:
    """Rows in PostgreSQL's COPY text format."""
    return "".join("\t".join(map(_text, row)) + "\n" for row in rows).encode("utf-8")


# --- Loading ----------------------------------------------------------------------------------

class SqliteLoader:
    vendor = "sqlite"

    def __init__(self, path: str) -> None:
        import sqlite3

        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000",
                       "locking_mode=EXCLUSIVE", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.dropped: list[tuple[str, str]] = []

    def schema(self) -> list[tuple]:
        return sorted(self.db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE "
            "'sqlite_stat%'").fetchall(), key=lambda r: (r[0], r[1]))

    def max_id(self, table: str) -> int:
        return self.db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # noqa: S608

    def drop_indexes(self) -> None:
        for table in TABLES:
            for name, sql in self.db.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? "
                    "AND sql IS NOT NULL", (table,)).fetchall():
                self.dropped.append((name, sql))
                self.db.execute(f'DROP INDEX "{name}"')

    def write(self, rows: dict[str, list[tuple]]) -> None:
        self.db.execute("BEGIN")
        for table, values in rows.items():
            if values:
                columns = TABLES[table]
                marks = ", ".join("?" * len(columns))
                self.db.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)  # noqa: S608
        self.db.execute("COMMIT")

    def create_indexes(self, progress) -> None:
        for name, sql in self.dropped:
            started = time.perf_counter()
            self.db.execute(sql)
            progress(f"index {name}: {time.perf_counter() - started:.1f} s")

    def analyze(self) -> None:
        self.db.execute("ANALYZE")
        self.db.execute("PRAGMA optimize")

    def close(self) -> None:
        self.db.execute("PRAGMA locking_mode=NORMAL")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.close()

    def size_bytes(self) -> int:
        return sum(Path(f"{self.path}{s}").stat().st_size for s in ("", "-wal")
                   if Path(f"{self.path}{s}").exists())


class PostgresLoader:
    vendor = "postgresql"

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.raw = connection.connection  # psycopg 3 connection
        self.raw.autocommit = True
        self.run("SET synchronous_commit = off")
        self.run("SET maintenance_work_mem = '1GB'")
        self.dropped_indexes: list[tuple[str, str]] = []
        self.dropped_keys: list[tuple[str, str, str]] = []

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.raw.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def schema(self) -> list[tuple]:
        indexes = self.run("SELECT 'index', indexname, tablename, indexdef FROM pg_indexes "
                           "WHERE schemaname = 'public'")
        constraints = self.run(
            "SELECT 'constraint', c.conname, t.relname, pg_get_constraintdef(c.oid) || "
            "CASE WHEN c.convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = "
            "t.relnamespace WHERE n.nspname = 'public'")
        return sorted(indexes + constraints, key=lambda r: (r[0], r[1]))

    def max_id(self, table: str) -> int:
        return self.run(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]  # noqa: S608

    def drop_indexes(self) -> None:
        tables = list(TABLES)
        self.dropped_keys = self.run(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND "
            "t.relname = ANY(%s)", (tables,))
        for table, name, _definition in self.dropped_keys:
            self.run(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        # Indexes that back no constraint (primary keys and unique constraints stay).
        self.dropped_indexes = self.run(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.indexname))::regclass)", (tables,))
        for name, _definition in self.dropped_indexes:
            self.run(f'DROP INDEX "{name}"')

    def write(self, rows: dict[str, bytes]) -> None:
        with self.raw.transaction(), self.raw.cursor() as cursor:
            for table, text in rows.items():
                if text:
                    columns = ", ".join(TABLES[table])
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write(text)

    def create_indexes(self, progress) -> None:
        for name, definition in self.dropped_indexes:
            started = time.perf_counter()
            self.run(definition)
            progress(f"index {name}: {time.perf_counter() - started:.1f} s")
        for table, name, definition in self.dropped_keys:
            started = time.perf_counter()
            self.run(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            progress(f"foreign key {name}: {time.perf_counter() - started:.1f} s")
        for table in ("registry_object", "registry_piece", "registry_name_token",
                      "resolution_pair"):
            self.run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                     f"(SELECT coalesce(max(id), 1) FROM {table}))")

    def analyze(self) -> None:
        # VACUUM as well: a table that was just copied in has no visibility map (every
        # index-only scan would visit the heap) and unset hint bits (the first reads would
        # write every page) — a state that autovacuum ends in a running system, and that this
        # server, with autovacuum off, would keep.
        self.run("VACUUM (ANALYZE)")

    def close(self) -> None:
        self.run("RESET synchronous_commit")

    def size_bytes(self) -> int:
        return self.run("SELECT pg_database_size(current_database())")[0][0]


def grants(progress) -> int:
    """A few hundred approved information requests of the police to Customs, with the pieces
    granted — so the grant sub-query of the visibility rule has rows to look at."""
    from django.utils import timezone

    from havenbeeld.accounts.models import User
    from havenbeeld.registry.models import Piece
    from havenbeeld.sharing.models import InformationRequest, LegalBasis, PieceGrant

    police = User.objects.get(email=RECORDERS["police"])
    customs = User.objects.get(email=RECORDERS["customs"])
    notes = list(Piece.objects.filter(organisation=customs.organisation, distribution="own")
                 .order_by("id").values_list("id", "object_id")[:3000:3])
    basis = LegalBasis.objects.get(code="riec-convenant")
    now = timezone.now()
    requests = InformationRequest.objects.bulk_create([InformationRequest(
        object_id=object_id, requester=police, requester_organisation=police.organisation,
        holder=customs.organisation, purpose="Bench: onderzoek havenaanpak (fictief)",
        legal_basis=basis, status=InformationRequest.Status.APPROVED,
        deadline=now.date(), decided_at=now, decided_by=customs) for _pk, object_id in notes])
    PieceGrant.objects.bulk_create([
        PieceGrant(piece_id=pk, organisation=police.organisation, request=request)
        for (pk, _object_id), request in zip(notes, requests, strict=True)])
    progress(f"{len(requests)} information requests with grants")
    return len(requests)


def verify(sample: int, progress) -> dict:
    """Re-derive ``sample`` random pieces through ``registry.services._normalise_fact`` (what
    build_pieces runs) and their name tokens; count what differs from the stored rows."""
    from havenbeeld.accounts.models import User
    from havenbeeld.registry import services
    from havenbeeld.registry.models import NameToken, Piece, RegistryObject
    from havenbeeld.sharing.models import LegalBasis

    actor = User.objects.select_related("organisation").get(email=RECORDERS["police"])
    provenance = services.Provenance("manual", "convenant", LegalBasis.objects.get(code="wpg"))
    last = Piece.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(11)
    ids = [rng.randrange(1, last + 1) for _ in range(sample * 3)]
    pieces = list(Piece.objects.filter(id__in=ids, retracts=False)[:sample])
    tokens: dict[int, set[str]] = {}
    for piece_id, token in NameToken.objects.filter(piece_id__in=[p.pk for p in pieces]) \
            .values_list("piece_id", "token"):
        tokens.setdefault(piece_id, set()).add(token)
    wrong = []
    for piece in pieces:
        fact = services.Fact(piece.property, piece.value, scheme=piece.scheme or None,
                             relation=piece.relation or None,
                             target=RegistryObject(pk=piece.target_id) if piece.target_id
                             else None)
        shown, normalised = services._normalise_fact(
            actor, RegistryObject(pk=piece.object_id), fact, provenance)
        expected_tokens = ({w[:64] for w in normalised.split()}
                           if piece.property in NAME_PROPERTIES else set())
        if (shown, normalised) != (piece.value, piece.value_normalised) or \
                expected_tokens != tokens.get(piece.pk, set()):
            wrong.append((piece.pk, piece.property, piece.value, piece.value_normalised,
                          normalised))
    progress(f"verified {len(pieces)} random pieces against build_pieces' normalisation: "
             f"{len(wrong)} differ")
    for row in wrong[:5]:
        progress(f"  differs: {row}")
    return {"verified_pieces": len(pieces), "differing": len(wrong)}


def fill(objects: int, pieces: int, *, seed: int = 7, chunk: int = 10_000,
         workers: int = 2, progress=print) -> dict:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    ctx = world_context(seed)
    vendor = connection.vendor
    if vendor == "sqlite":
        from havenbeeld.core.sqlite.base import checkpoints_held

        path = str(connection.settings_dict["NAME"])
        connection.close()
        with checkpoints_held():  # migrate's last commit woke the checkpointer
            loader: SqliteLoader | PostgresLoader = SqliteLoader(path)
    else:
        loader = PostgresLoader()
    before = loader.schema()
    if loader.max_id("registry_object") or loader.max_id("registry_piece"):
        raise SystemExit("The registry of this database is not empty; start from a fresh one.")
    loader.drop_indexes()
    ratio = pieces / objects
    block = chunk * max(25, round(ratio * 2))
    tasks = []
    for index in range((objects + chunk - 1) // chunk):
        size = min(chunk, objects - index * chunk)
        tasks.append((ctx, index, size, index * chunk, index * block, block, ratio, vendor))
    totals = {"objects": 0, "pieces": 0, "tokens": 0, "clusters": 0, "pairs": 0,
              "name_keys": 0}
    load_started = time.perf_counter()
    write_seconds = 0.0
    context = multiprocessing.get_context("fork")
    with context.Pool(max(1, workers)) as pool:
        pending: deque = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(pool.apply_async(generate_chunk, (task,)))
            if len(pending) >= workers + 2:
                break
        while pending:
            result = pending.popleft().get()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.apply_async(generate_chunk, (nxt,)))
            t = time.perf_counter()
            loader.write(result["rows"])
            write_seconds += time.perf_counter() - t
            for key, value in result["counts"].items():
                totals[key] += value
            if result["index"] % 10 == 9 or not pending:
                elapsed = time.perf_counter() - load_started
                progress(f"  {totals['objects']:>9,} objects {totals['pieces']:>11,} pieces "
                         f"{totals['tokens']:>10,} tokens  {elapsed:6.0f} s "
                         f"({totals['pieces'] / elapsed:,.0f} pieces/s, writing "
                         f"{write_seconds:.0f} s)")
    load_seconds = time.perf_counter() - load_started
    progress(f"loaded in {load_seconds:.0f} s; building indexes")
    index_started = time.perf_counter()
    loader.create_indexes(progress)
    index_seconds = time.perf_counter() - index_started
    analyze_started = time.perf_counter()
    loader.analyze()
    analyze_seconds = time.perf_counter() - analyze_started
    after = loader.schema()
    same = before == after
    if not same:
        progress("SCHEMA DIFFERS from the migrated one:")
        for row in sorted(set(before) ^ set(after)):
            progress(f"  {'before' if row in before else 'after '}: {row}")
    else:
        progress(f"schema identical to the migrated one ({len(after)} indexes/constraints "
                 "compared)")
    size = loader.size_bytes()
    loader.close()
    requests = grants(progress)
    checked = verify(3000, progress)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sharing_piecegrant")
            cursor.execute("ANALYZE sharing_informationrequest")
    seconds = time.perf_counter() - started
    return {"database": vendor, "objects": totals["objects"], "pieces": totals["pieces"],
            "name_tokens": totals["tokens"], "cluster_members": totals["clusters"],
            "pairs": totals["pairs"], "information_requests": requests,
            "distinct_name_keys_computed": totals["name_keys"],
            "fill_seconds": round(seconds, 1), "load_seconds": round(load_seconds, 1),
            "write_seconds": round(write_seconds, 1), "index_seconds": round(index_seconds, 1),
            "analyze_seconds": round(analyze_seconds, 1), "db_size_mb": round(size / 2**20),
            "schema_identical_to_migrated": same, "normalisation_check": checked,
            "workers": workers, "chunk": chunk,
            "fill_peak_rss_mb": round(max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, required=True)
    parser.add_argument("--pieces", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--marker", default="", help="write the fill figures here (JSON)")
    args = parser.parse_args()
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    django_setup(args.database_url, bench_dir)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[fill {time.perf_counter() - started:7.1f} s] {message}", flush=True)

    result = fill(args.objects, args.pieces, seed=args.seed, chunk=args.chunk,
                  workers=args.workers, progress=progress)
    result["database_url"] = args.database_url
    print(json.dumps(result, indent=2), flush=True)
    if args.marker:
        Path(args.marker).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
