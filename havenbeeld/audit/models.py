"""The audit log: one row per event, each carrying the hash of the one before it.

Entries are only ever appended (``audit.events`` writes them inside the transaction of the change
they record). ``entry_hash`` covers the entry's content and ``previous_hash``, so a changed,
removed or inserted row breaks the chain from that row on; ``audit.chain.verify`` walks it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ACCOUNT_REQUESTED = "account.requested", _("account requested")
    ACCOUNT_REQUEST_DUPLICATE = "account.request_duplicate", _("duplicate account request")
    ACCOUNT_EMAIL_CONFIRMED = "account.email_confirmed", _("e-mail address confirmed")
    ACCOUNT_APPROVED = "account.approved", _("account request approved")
    ACCOUNT_REJECTED = "account.rejected", _("account request rejected")
    ACCOUNT_REQUEST_EXPIRED = "account.request_expired", _("account request expired")
    PASSWORD_SET = "account.password_set", _("password set")
    PASSWORD_RESET_REQUESTED = "account.password_reset_requested", _("password reset requested")
    PASSWORD_RESET = "account.password_reset", _("password reset")
    PASSWORD_CHANGED = "account.password_changed", _("password changed")
    RECOVERY_CODES_REPLACED = "account.recovery_codes_replaced", _("recovery codes replaced")
    MFA_ENROLLED = "account.mfa_enrolled", _("two-factor authentication enrolled")
    RECOVERY_CODE_USED = "account.recovery_code_used", _("recovery code used")
    SIGN_IN_SUCCEEDED = "auth.sign_in_succeeded", _("signed in")
    SIGN_IN_FAILED = "auth.sign_in_failed", _("sign-in failed")
    LOCKED_OUT = "auth.locked_out", _("locked out")
    SIGNED_OUT = "auth.signed_out", _("signed out")
    SESSION_TIMED_OUT = "auth.session_timed_out", _("signed out after inactivity")
    USER_DEACTIVATED = "account.deactivated", _("user deactivated")
    USER_REACTIVATED = "account.reactivated", _("user reactivated")
    SECOND_FACTOR_RESET = "account.second_factor_reset", _("two-factor authentication reset")
    API_TOKEN_ISSUED = "account.api_token_issued", _("API token issued")
    API_TOKEN_REVOKED = "account.api_token_revoked", _("API token revoked")
    GROUP_CHANGED = "sharing.group_changed", _("collaboration group changed")
    PIECES_RECORDED = "registry.pieces_recorded", _("pieces recorded")
    IMPORT_QUEUED = "import.queued", _("import started")
    IMPORT_FINISHED = "import.finished", _("import finished")
    PICTURE_VIEWED = "registry.picture_viewed", _("object picture viewed")
    PICTURE_EXPORTED = "registry.picture_exported", _("object picture exported")
    PURPOSE_STATED = "registry.purpose_stated", _("purpose stated for a person")
    HIT_QUERY = "sharing.hit_query", _("hit/no-hit asked")
    IDENTIFIER_HIT_QUERY = "sharing.identifier_hit_query", _("hit/no-hit asked on an identifier")
    SEARCH = "registry.search", _("search")
    REFERENCE_CHANGED = "core.reference_changed", _("reference data changed")
    SUBJECT_ACCESS = "sharing.subject_access", _("data-subject access report")
    RETENTION_RUN = "sharing.retention_run", _("retention applied")
    INFORMATION_REQUEST = "sharing.information_request", _("information request")
    RESOLUTION_DECIDED = "resolution.decided", _("resolution decision")
    RESOLUTION_RUN = "resolution.run", _("resolution run")
    RESOLUTION_TRAINED = "resolution.trained", _("resolution model trained")
    SIGNAL_REPORTED = "signals.reported", _("signal reported")
    SIGNAL_TRIAGED = "signals.triaged", _("signal triaged")
    SIGNAL_VIEWED = "signals.viewed", _("signal viewed")
    ATTACHMENT_DOWNLOADED = "signals.attachment_downloaded", _("attachment downloaded")
    DEMO_WORLD_BUILT = "demo.built", _("demo world built")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Not a choices field: a new event type must not need a migration. ``EventType`` is the
    # list; ``label`` reads it.
    event_type = models.CharField(_("event"), max_length=50, db_index=True)
    # The actor is kept as a reference and as a snapshot, so the entry stays readable (and its
    # hash stays valid) when the user is later renamed or removed.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("who"))
    actor_label = models.CharField(_("who"), max_length=300, blank=True)
    actor_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    target_type = models.CharField(_("object type"), max_length=50, blank=True)
    target_id = models.CharField(_("object"), max_length=64, blank=True, db_index=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.event_type} {self.actor_label}"

    @property
    def label(self) -> str:
        try:
            return str(EventType(self.event_type).label)
        except ValueError:
            return self.event_type


class ChainHead(models.Model):
    """A single row holding the hash of the latest entry; locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return self.last_hash
