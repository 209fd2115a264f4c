"""Resolution state: models, per-object profiles and keys, candidate pairs, decisions, clusters.

Pieces are never touched. A *pair* of objects is linked by the machine (a shared strong
identifier, or a match weight above the link threshold) or by an analyst's decision; clusters
are the connected components of linked pairs and are cached in ``ClusterMembership``. Every
analyst decision is a ``Decision`` row (who, when, why, the status before), so it can be undone,
and a "not the same" keeps the pair from being proposed or linked again.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.registry.models import RegistryObject


class ResolutionModel(models.Model):
    """A trained probabilistic model (Splink settings with m and u) for persons or companies."""

    kind = models.CharField(_("kind"), max_length=20)
    settings = models.JSONField(_("Splink settings"))
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    trained_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    records = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        verbose_name = _("resolution model")

    def __str__(self) -> str:
        return f"{self.kind} model {self.trained_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """The matching features of an object, built from all its pieces (never shown as such)."""

    object = models.OneToOneField(RegistryObject, on_delete=models.CASCADE,
                                  related_name="resolution_profile", primary_key=True)
    kind = models.CharField(max_length=20)
    features = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "resolution_profile"

    def __str__(self) -> str:
        return f"profile of {self.object_id}"


class BlockingKey(models.Model):
    object = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=190)

    class Meta:
        db_table = "resolution_blocking_key"
        indexes = [models.Index(fields=["key", "object"], name="blocking_key_lookup")]
        constraints = [models.UniqueConstraint(fields=["object", "key"],
                                               name="blocking_key_once_per_object")]

    def __str__(self) -> str:
        return self.key


class PairStatus(models.TextChoices):
    REVIEW = "review", _("awaiting review")
    LINKED = "linked", _("linked automatically")
    SAME = "same", _("same (analyst)")
    NOT_SAME = "not_same", _("not the same (analyst)")
    UNSURE = "unsure", _("unsure (analyst)")
    DROPPED = "dropped", _("no longer proposed")


LINKING_STATUSES = (PairStatus.LINKED, PairStatus.SAME)
DECIDED_STATUSES = (PairStatus.SAME, PairStatus.NOT_SAME, PairStatus.UNSURE)


class Method(models.TextChoices):
    IDENTIFIER = "identifier", _("shared identifier")
    MODEL = "model", _("probabilistic model")
    ANALYST = "analyst", _("analyst")


class MatchPair(models.Model):
    """Two objects the platform thinks may be one entity (left has the lower id)."""

    # The unique (left, right) index serves lookups by left; right has its own index.
    left = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    right = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=PairStatus.choices,
                              db_index=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    match_weight = models.FloatField(_("match weight"))
    probability = models.FloatField(_("match probability"))
    evidence = models.JSONField(_("evidence"), default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "resolution_pair"
        ordering = ["-match_weight"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="pair_once"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")),
                                   name="pair_left_below_right"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id}–{self.right_id} ({self.status})"

    @property
    def links(self) -> bool:
        return self.status in LINKING_STATUSES


class Verdict(models.TextChoices):
    SAME = "same", _("the same")
    NOT_SAME = "not_same", _("not the same")
    UNSURE = "unsure", _("unsure")
    UNDO = "undo", _("undone")


class Decision(models.Model):
    pair = models.ForeignKey(MatchPair, on_delete=models.CASCADE, related_name="decisions")
    verdict = models.CharField(_("decision"), max_length=10, choices=Verdict.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    status_before = models.CharField(max_length=10, choices=PairStatus.choices)
    status_after = models.CharField(max_length=10, choices=PairStatus.choices)
    decided_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    undone = models.BooleanField(default=False)

    class Meta:
        db_table = "resolution_decision"
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.verdict} on {self.pair_id}"


class ClusterMembership(models.Model):
    """Cache: the cluster (its lowest object id) each linked object belongs to."""

    object = models.OneToOneField(RegistryObject, on_delete=models.CASCADE,
                                  related_name="cluster_membership", primary_key=True)
    cluster = models.BigIntegerField(db_index=True)

    class Meta:
        db_table = "resolution_cluster"

    def __str__(self) -> str:
        return f"{self.object_id} in {self.cluster}"


class ResolutionRun(models.Model):
    """One batch run of ``havenbeeld resolve``, with its progress for the page."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    retrain = models.BooleanField(default=False)
    started_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict)

    class Meta:
        db_table = "resolution_run"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"resolution run {self.pk} ({self.state})"
