from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import EncryptedTextField


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    ARCHIVE_MANAGER = "archive_manager", _("Archive manager")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service")
    ANALYST = "analyst", _("Analyst")
    # Reads and exports the audit log (e.g. the personal-information protection officer,
    # 个人信息保护负责人); opens no customer file.
    AUDITOR = "auditor", _("Auditor")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenScope(models.TextChoices):
    """What an API token may do; which routes need which is in kehu.api.scopes."""

    READ = "read", _("Read: look up customers and their records")
    WRITE = "write", _("Write: create, change and delete records, import files")
    EXPORT = "export", _("Export: data-subject copies and revealing sensitive fields")
    ADMIN = "admin", _("Admin: manage API tokens, custom fields and two-factor resets")


ALL_SCOPES = tuple(TokenScope.values)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        return self.filter(unexpired, revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the secret is shown once."""

    PREFIX = "kehu_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="first characters, to recognise the token in a list")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A subset of TokenScope, chosen at creation and never widened afterwards.
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def scope_labels(self) -> list[str]:
        return [scope for scope in ALL_SCOPES if self.has_scope(scope)]

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class FailedSignIn(models.Model):
    """A failed sign-in, kept briefly for throttling (see kehu.accounts.throttle)."""

    username = models.CharField(max_length=150, db_index=True)
    client_address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class TwoFactor(models.Model):
    """A user's TOTP authenticator. Unconfirmed while enrolment is under way.

    The shared secret is encrypted at rest like any sensitive field: a copy of the
    database alone must not let anyone generate codes.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = EncryptedTextField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last code accepted: a code is refused if its step is not newer,
    # so a code seen over someone's shoulder cannot be replayed within its window.
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor authenticator")
        verbose_name_plural = _("two-factor authenticators")


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator; only a keyed hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]
