"""Attachments of signals: inspected by content, scanned, stored outside the web root, and
served only to those who may see the signal (the view asks ``selectors``).

Storage is a directory (``SIGNAL_ATTACHMENT_DIR``, under the instance's var directory, never
under static or media URLs) with random file names; the original name is only metadata.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from havenbeeld.accounts.models import User
from havenbeeld.core import uploads
from havenbeeld.registry.names import clean_display
from havenbeeld.signals.models import Attachment, EventKind, Signal, SignalEvent


@dataclass(frozen=True)
class Checked:
    name: str
    data: bytes
    inspected: uploads.Inspected
    scan: uploads.ScanResult


def _directory() -> Path:
    path = Path(settings.SIGNAL_ATTACHMENT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_all(files: Sequence) -> list[Checked]:
    """Inspect and scan every upload; the first refused one stops the submission."""
    from havenbeeld.signals.intake import SignalError

    if len(files) > settings.SIGNAL_MAX_ATTACHMENTS:
        raise SignalError(_("At most %(max)d attachments per signal.")
                          % {"max": settings.SIGNAL_MAX_ATTACHMENTS}, "attachments")
    checked = []
    for upload in files:
        name = clean_display(Path(upload.name or "").name)[:200] or "bijlage"
        try:
            inspected = uploads.inspect(upload.data, filename=name,
                                        max_bytes=settings.SIGNAL_ATTACHMENT_MAX_BYTES)
            scan = uploads.scan(upload.data, clamd_address=settings.CLAMD_ADDRESS or None)
        except uploads.UploadRefused as exc:
            raise SignalError(_("%(file)s: %(message)s") % {"file": name,
                                                            "message": exc.message},
                              "attachments") from None
        checked.append(Checked(name, upload.data, inspected, scan))
    return checked


def store_all(signal: Signal, actor: User, checked: Sequence[Checked]) -> list[str]:
    """Write the files and their rows (inside the caller's transaction); returns the stored
    names so the caller can remove them if the transaction fails."""
    stored = []
    directory = _directory()
    for item in checked:
        stored_name = f"{secrets.token_hex(16)}.{item.inspected.extension}"
        (directory / stored_name).write_bytes(item.data)
        stored.append(stored_name)
        Attachment.objects.create(
            signal=signal, stored_name=stored_name, original_name=item.name,
            mime=item.inspected.mime, extension=item.inspected.extension,
            size=item.inspected.size, sha256=item.inspected.sha256,
            scan_status=item.scan.status, scanner=item.scan.scanner, uploaded_by=actor)
        SignalEvent.objects.create(signal=signal, kind=EventKind.ATTACHMENT, actor=actor,
                                   text=item.name, for_reporter=True)
    return stored


def remove_files(stored: Sequence[str]) -> None:
    directory = Path(settings.SIGNAL_ATTACHMENT_DIR)
    for name in stored:
        (directory / name).unlink(missing_ok=True)


def path_of(attachment: Attachment) -> Path:
    return Path(settings.SIGNAL_ATTACHMENT_DIR) / attachment.stored_name


def add(signal: Signal, actor: User, upload: object) -> Attachment:
    """Add one file to an existing signal (the reporter's organisation only)."""
    from django.db import transaction

    from havenbeeld.audit import events

    [checked] = check_all([upload])
    stored: list[str] = []
    try:
        with transaction.atomic():
            if signal.attachments.count() >= settings.SIGNAL_MAX_ATTACHMENTS:
                from havenbeeld.signals.intake import SignalError

                raise SignalError(_("At most %(max)d attachments per signal.")
                                  % {"max": settings.SIGNAL_MAX_ATTACHMENTS}, "attachments")
            stored = store_all(signal, actor, [checked])
            events.signal_triaged(actor, signal, "attachment", name=checked.name)
    except Exception:
        remove_files(stored)
        raise
    return signal.attachments.get(stored_name=stored[0])
