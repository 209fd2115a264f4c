"""Background tasks of signals: sending notification e-mail."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notification_emails(notification_ids: list[int]) -> None:
    from havenbeeld.signals.notifications import send_emails

    send_emails(notification_ids)
