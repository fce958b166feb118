from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Keeping the archive clean: import/export, normalisation, duplicates."""

    name = "kehu.quality"
    label = "quality"
    verbose_name = _("Data quality")
