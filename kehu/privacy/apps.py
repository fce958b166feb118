from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Data-subject requests, erasure, retention: what PIPL/GDPR ask of the archive's owner."""

    name = "kehu.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
