"""Anchors of the audit chain outside the database (DESIGN.md §7, "Audit anchoring").

The chain proves that no entry was changed, removed or inserted *between* two entries; someone
who can write to the database could still cut off the latest entries and move the chain head
back. An anchor is the head — last entry id, its hash, the number of entries — written where the
database cannot reach: a JSON line appended to ``HAVENBEELD_AUDIT_ANCHOR_FILE`` (keep it on
other storage, or ship it on) and a line to the ``havenbeeld.audit.anchor`` logger (point it at
syslog or a log collector). ``havenbeeld audit anchor`` writes one (schedule it, e.g. hourly);
``havenbeeld audit verify`` checks the chain against the last anchor in the file: the anchored
entry must still be there with the anchored hash.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from havenbeeld.audit import chain
from havenbeeld.audit.chain import VerifyResult
from havenbeeld.audit.models import AuditEvent, ChainHead

log = logging.getLogger("havenbeeld.audit.anchor")


class AnchorError(Exception):
    """The anchor file cannot be written or read."""


@dataclass(frozen=True)
class Anchor:
    at: str
    last_event_id: int | None
    last_hash: str
    entries: int

    def line(self) -> str:
        return json.dumps({"at": self.at, "last_event_id": self.last_event_id,
                           "last_hash": self.last_hash, "entries": self.entries},
                          sort_keys=True)


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def write_anchor(path: Path | None = None) -> Anchor:
    """Append the chain's current head to the anchor file (and the anchor log)."""
    path = path or anchor_path()
    head = ChainHead.objects.filter(id=1).first()
    last_id = head.last_event_id if head else None
    # Counted up to the head read, not all rows: an entry appended meanwhile is not anchored.
    anchor = Anchor(at=timezone.now().isoformat(timespec="seconds"), last_event_id=last_id,
                    last_hash=head.last_hash if head else "",
                    entries=AuditEvent.objects.filter(pk__lte=last_id).count()
                    if last_id is not None else 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(anchor.line() + "\n")
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise AnchorError(f"Cannot write the audit anchor to {path}: {exc.strerror}. / "
                          f"Kan het auditanker niet schrijven naar {path}.") from None
    log.info("audit anchor %s", anchor.line())
    return anchor


def last_anchor(path: Path | None = None) -> Anchor | None:
    """The last complete anchor in the file; None when there is no file or no anchor yet."""
    path = path or anchor_path()
    if not path.exists():
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"Cannot read the audit anchor file {path}: {exc}. / "
                          f"Kan het auditankerbestand {path} niet lezen.") from None
    for line in reversed(lines):
        try:
            data = json.loads(line)
            return Anchor(at=str(data["at"]), last_event_id=data["last_event_id"],
                          last_hash=str(data["last_hash"]), entries=int(data["entries"]))
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line (a crash while writing): the one before counts
    return None


def check(anchor: Anchor) -> str:
    """Why the chain does not reach the anchor, or "" when it does."""
    if anchor.last_event_id is None:
        return ""
    event = AuditEvent.objects.filter(pk=anchor.last_event_id).first()
    if event is None:
        return (f"the entry anchored on {anchor.at} ({anchor.last_event_id}) is gone: entries "
                "were removed")
    if event.entry_hash != anchor.last_hash:
        return (f"the entry anchored on {anchor.at} ({anchor.last_event_id}) no longer has "
                "the anchored hash")
    if AuditEvent.objects.filter(pk__lte=anchor.last_event_id).count() < anchor.entries:
        return f"there are fewer entries up to the anchor of {anchor.at} than it counted"
    return ""


def verify_against_anchor() -> VerifyResult:
    """The chain's own check, then the last anchor's: the one verification pages and commands
    show. A chain with no anchor yet is judged by itself."""
    result = chain.verify()
    if not result.ok:
        return result
    last = last_anchor()
    problem = check(last) if last is not None else ""
    if problem:
        return VerifyResult(False, result.checked, last.last_event_id, problem)
    return result
