"""Organisations, users with one role each, account requests and one-time links."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.places.models import Port, RiecRegion


class Sector(models.TextChoices):
    PUBLIC = "public", _("public partner")
    PRIVATE = "private", _("private partner")


class OrganisationKind(models.TextChoices):
    POLICE = "police", _("police")
    CUSTOMS = "customs", _("Customs")
    KMAR = "kmar", _("Royal Marechaussee")
    OM = "om", _("Public Prosecution Service")
    TAX = "tax", _("tax authority / FIOD")
    MUNICIPALITY = "municipality", _("municipality")
    HARBOUR_MASTER = "harbour_master", _("harbour master")
    PORT_AUTHORITY = "port_authority", _("port authority")
    RIEC = "riec", _("RIEC")
    CONTAINER_TERMINAL = "container_terminal", _("container terminal")
    SHIPPING_LINE = "shipping_line", _("shipping line")
    FISHERY = "fishery", _("fishery")
    ASSOCIATION = "association", _("association")
    OTHER = "other", _("other")


# Kinds that can only be public or only private; the rest may be either (DESIGN.md §7).
PUBLIC_KINDS = frozenset({
    OrganisationKind.POLICE, OrganisationKind.CUSTOMS, OrganisationKind.KMAR,
    OrganisationKind.OM, OrganisationKind.TAX, OrganisationKind.MUNICIPALITY,
    OrganisationKind.HARBOUR_MASTER, OrganisationKind.RIEC,
})
PRIVATE_KINDS = frozenset({
    OrganisationKind.CONTAINER_TERMINAL, OrganisationKind.SHIPPING_LINE,
    OrganisationKind.FISHERY, OrganisationKind.ASSOCIATION,
})
# Public partners of the RIEC convenant (DESIGN.md §7). The harbour master only where designated.
CONVENANT_KINDS = frozenset(PUBLIC_KINDS - {OrganisationKind.HARBOUR_MASTER})


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    region = models.CharField(_("region"), max_length=30, choices=RiecRegion.choices)
    ports = models.ManyToManyField(Port, blank=True, related_name="organisations",
                                   verbose_name=_("ports"))
    email_domains = models.CharField(
        _("e-mail domains"), max_length=500, blank=True,
        help_text=_("Comma-separated work e-mail domains; when set, account requests must use "
                    "one of them."),
    )
    designated_convenant_partner = models.BooleanField(
        _("designated convenant partner"), default=False,
        help_text=_("For a harbour master designated as partner under the RIEC convenant."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sector="private", kind__in=sorted(PUBLIC_KINDS)),
                name="organisation_public_kinds_are_public",
            ),
            models.CheckConstraint(
                condition=~models.Q(sector="public", kind__in=sorted(PRIVATE_KINDS)),
                name="organisation_private_kinds_are_private",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.sector == Sector.PUBLIC

    @property
    def is_convenant_partner(self) -> bool:
        if self.sector != Sector.PUBLIC:
            return False
        return self.kind in CONVENANT_KINDS or self.designated_convenant_partner

    def allowed_email_domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")
    COORDINATOR = "coordinator", _("coordinator")
    ANALYST = "analyst", _("analyst")
    CONTRIBUTOR = "contributor", _("contributor")
    READER = "reader", _("reader")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person signing in. Belongs to exactly one organisation and has exactly one role."""

    email = models.EmailField(_("work e-mail"), max_length=254, unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READER)
    function = models.CharField(_("function"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivation_reason = models.CharField(_("reason for deactivation"), max_length=500,
                                           blank=True)
    # Bumped to end every session of the user at once (deactivation, password change).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0]

    def get_session_auth_hash(self) -> str:
        return f"{super().get_session_auth_hash()}:{self.session_generation}"


class AccountRequest(models.Model):
    """Someone asks for an account at an organisation; its coordinators vet the request."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("awaiting e-mail confirmation")
        PENDING = "pending", _("awaiting decision")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")

    OPEN_STATUSES = (Status.UNCONFIRMED, Status.PENDING)

    full_name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("work e-mail"), max_length=254)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="account_requests",
                                     verbose_name=_("organisation"))
    function = models.CharField(_("function"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30)
    motivation = models.TextField(_("motivation"), max_length=2000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.UNCONFIRMED)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decision_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    granted_role = models.CharField(_("role granted"), max_length=20, choices=Role.choices,
                                    blank=True)
    user = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="account_request", verbose_name=_("account"))
    request_ip = models.GenericIPAddressField(_("requested from"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        constraints = [
            # At most one open request per e-mail address, whatever its case.
            models.UniqueConstraint(
                Lower("email"), condition=models.Q(status__in=["unconfirmed", "pending"]),
                name="one_open_account_request_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.organisation})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class OneTimeLink(models.Model):
    """A single-use link sent by e-mail. Only a hash of the token is stored."""

    class Purpose(models.TextChoices):
        CONFIRM_EMAIL = "confirm_email", _("confirm e-mail address")
        SET_PASSWORD = "set_password", _("set password")
        RESET_PASSWORD = "reset_password", _("reset password")

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    account_request = models.ForeignKey(AccountRequest, on_delete=models.CASCADE, null=True,
                                        blank=True, related_name="links")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="links")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account_request__isnull=False) | models.Q(user__isnull=False),
                name="link_belongs_to_request_or_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SignInFailure(models.Model):
    """One failed sign-in step (password or second factor), counted for lockout."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    step = models.CharField(max_length=10)  # "password" or "otp"

    class Meta:
        indexes = [models.Index(fields=["email", "occurred_at"]),
                   models.Index(fields=["ip_address", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.email} {self.step} {self.occurred_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the REST API, of a person or of a partner system's account.

    Only a hash is stored; the token is shown once when it is made.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
