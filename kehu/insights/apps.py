from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """What kehu derives about customers: RFM, CLV, churn risk, tiers, segments."""

    name = "kehu.insights"
    label = "insights"
    verbose_name = _("Insights")
