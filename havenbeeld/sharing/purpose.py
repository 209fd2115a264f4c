"""Purpose binding: a person's picture is opened (or exported) only for a stated purpose.

The purpose — a case number or a short description — is asked once per person object and kept
in the session for ``PURPOSE_MINUTES``; every view and export of that picture carries it into
the audit log, so the privacy officer can see why each person was looked at.
"""

from __future__ import annotations

import time

from django.http import HttpRequest
from django.utils.translation import gettext as _

from havenbeeld.audit import events
from havenbeeld.registry.models import ObjectKind, RegistryObject

SESSION_KEY = "havenbeeld_purposes"
PURPOSE_MINUTES = 60
MAX_LENGTH = 300


class PurposeError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def requires_purpose(obj: RegistryObject) -> bool:
    return obj.kind == ObjectKind.PERSON


def purpose_for(request: HttpRequest, obj: RegistryObject) -> str | None:
    """The purpose stated for this object in this session, if still fresh."""
    stated = request.session.get(SESSION_KEY, {}).get(str(obj.pk))
    if not stated or time.time() - stated["at"] > PURPOSE_MINUTES * 60:
        return None
    return stated["purpose"]


def clean_purpose(purpose: str) -> str:
    purpose = " ".join((purpose or "").split())
    if len(purpose) < 3:
        raise PurposeError(_("Name the case or purpose for which you open this person's data."))
    if len(purpose) > MAX_LENGTH:
        raise PurposeError(_("Describe the purpose in at most %(max)d characters.")
                           % {"max": MAX_LENGTH})
    return purpose


def state_purpose(request: HttpRequest, obj: RegistryObject, purpose: str) -> str:
    """Record the purpose (audit log) and remember it in the session."""
    purpose = clean_purpose(purpose)
    events.purpose_stated(request.user, obj, request, purpose)
    purposes = request.session.get(SESSION_KEY, {})
    purposes[str(obj.pk)] = {"purpose": purpose, "at": time.time()}
    request.session[SESSION_KEY] = purposes
    return purpose
