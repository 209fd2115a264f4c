"""Outgoing account e-mail, rendered from templates and sent after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def send_after_commit(template: str, recipients: Iterable[str], context: dict) -> None:
    """Render ``accounts/email/<template>_subject.txt`` and ``..._body.txt`` and send on commit.

    The e-mail is rendered now, in the language active for the person who caused it.
    """
    recipients = sorted(set(recipients))
    if not recipients:
        return
    context = {**context, "site_url": settings.SITE_URL,
               "language": translation.get_language()}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    subject = " ".join(subject.split())
    body = render_to_string(f"accounts/email/{template}_body.txt", context)

    def _send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)

    transaction.on_commit(_send)
