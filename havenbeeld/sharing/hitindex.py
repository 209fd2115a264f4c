"""The exchangeable hit index: keyed hashes of normalised identifiers, never the identifiers.

Each entry is HMAC-SHA256(index key, "scheme:canonical value") with the holder, a count and the
month of the latest piece. Instances that exchange their index share ``HIT_INDEX_KEY`` (and keep
it secret); without it the hashes cannot be tied back to identifiers by trying likely numbers.
BSNs are never put in the index. Asking "who holds anything on identifier X" checks this
instance's pieces and the imported entries of other instances, audited and rate limited like
every hit question.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.registry import identifiers
from havenbeeld.registry.models import Piece, Property
from havenbeeld.sharing.hits import HitLimitReached, may_ask
from havenbeeld.sharing.models import RemoteHit
from havenbeeld.sharing.visibility import contributor_name

EXCLUDED_SCHEMES = {identifiers.Scheme.BSN.value}


def index_key(scheme: str, value: str) -> str:
    secret = settings.HIT_INDEX_KEY.encode("utf-8")
    return hmac.new(secret, f"{scheme}:{value}".encode(), hashlib.sha256).hexdigest()


def _holdings(identifier_pieces, viewer: User | None = None) -> list[dict]:
    """Per (scheme, value, holder): how many pieces the holder has on the objects carrying that
    identifier, and the month of the latest."""
    rows = list(identifier_pieces.values("scheme", "value_normalised", "organisation_id",
                                         "organisation__name", "object_id", "pseudonymous_in"))
    counts = {(r["object_id"], r["organisation_id"]): (r["n"], r["latest"]) for r in (
        Piece.objects.filter(object_id__in={r["object_id"] for r in rows})
        .values("object_id", "organisation_id")
        .annotate(n=Count("id"), latest=Max("observed_at")))}
    grouped: dict[tuple, dict] = {}
    for row in rows:
        group = grouped.setdefault(
            (row["scheme"], row["value_normalised"], contributor_name(
                viewer, row["organisation_id"], row["organisation__name"],
                row["pseudonymous_in"])),
            {"pieces": 0, "latest": None, "objects": set()})
        if row["object_id"] in group["objects"]:
            continue
        group["objects"].add(row["object_id"])
        n, latest = counts[(row["object_id"], row["organisation_id"])]
        group["pieces"] += n
        group["latest"] = max(filter(None, (group["latest"], latest)))
    return [{"scheme": k[0], "value": k[1], "holder": k[2], "pieces": v["pieces"],
             "latest": f"{v['latest']:%Y-%m}"} for k, v in sorted(grouped.items())]


def export_entries() -> Iterator[dict]:
    pieces = (Piece.objects.filter(property=Property.IDENTIFIER, retracts=False)
              .exclude(scheme__in=EXCLUDED_SCHEMES))
    for holding in _holdings(pieces):
        yield {"key": index_key(holding["scheme"], holding["value"]),
               "holder": holding["holder"], "pieces": holding["pieces"],
               "latest": holding["latest"], "instance": settings.INSTANCE_NAME}


@dataclass
class ImportResult:
    instance: str
    entries: int
    errors: list[tuple[int, str]]


def import_entries(lines: Iterable[str]) -> ImportResult:
    """Replace the entries of the instance named in the file with the file's entries."""
    entries: list[RemoteHit] = []
    errors: list[tuple[int, str]] = []
    instance = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            key = str(data["key"])
            if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
                raise ValueError("key is not a SHA-256 hex digest")
            entry = RemoteHit(instance=str(data["instance"])[:100], key=key,
                              holder=str(data["holder"])[:200], pieces=int(data["pieces"]),
                              latest_month=str(data["latest"])[:7])
        except (ValueError, KeyError, TypeError) as exc:
            errors.append((number, str(exc)[:200]))
            continue
        if entry.instance == settings.INSTANCE_NAME:
            errors.append((number, "this instance's own entries are not imported"))
            continue
        instance = instance or entry.instance
        if entry.instance != instance:
            errors.append((number, "one file holds one instance's entries"))
            continue
        entries.append(entry)
    if instance:
        with transaction.atomic():
            RemoteHit.objects.filter(instance=instance).delete()
            RemoteHit.objects.bulk_create(entries, batch_size=5000)
    return ImportResult(instance or "", len(entries), errors)


@dataclass(frozen=True)
class HolderHit:
    instance: str
    holder: str
    pieces: int
    latest_month: str


def who_holds(user: User, scheme: str, raw: str, *, purpose: str,
              request: object = None) -> list[HolderHit]:
    """Who holds anything on this identifier, here and in the imported indexes. Counts only."""
    from havenbeeld.sharing.hits import hits_asked_recently

    if not may_ask(user):
        return []
    if hits_asked_recently(user) >= settings.HIT_QUERIES_PER_HOUR:
        raise HitLimitReached
    identifier = identifiers.normalise(scheme, raw)
    if identifier.scheme.value in EXCLUDED_SCHEMES:
        return []
    key = index_key(identifier.scheme.value, identifier.value)
    local = _holdings(Piece.objects.filter(
        property=Property.IDENTIFIER, scheme=identifier.scheme.value,
        value_normalised=identifier.value, retracts=False), viewer=user)
    found = [HolderHit(settings.INSTANCE_NAME, h["holder"], h["pieces"], h["latest"])
             for h in local]
    found += [HolderHit(r.instance, r.holder, r.pieces, r.latest_month)
              for r in RemoteHit.objects.filter(key=key).order_by("instance", "holder")]
    events.identifier_hit_query(user, request, identifier.scheme.value, key, purpose,
                                len(found))
    return found
