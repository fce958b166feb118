from django.db import models
from django.utils.translation import gettext_lazy as _


class RfmSegment(models.TextChoices):
    """Named segments of the 1–5 scheme (English source; zh-Hans in the translation catalogue)."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALIST = "potential_loyalist", _("Potential loyalist")
    NEW = "new", _("New")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", _("About to sleep")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class ValueClass(models.TextChoices):
    """The high/low-against-average scheme of Chinese retail. The Chinese names are the
    canonical labels (they are what the business knows); an English catalogue may gloss them."""

    IMPORTANT_VALUE = "important_value", _("重要价值客户")  # R↑ F↑ M↑
    IMPORTANT_DEVELOP = "important_develop", _("重要发展客户")  # R↑ F↓ M↑
    IMPORTANT_KEEP = "important_keep", _("重要保持客户")  # R↓ F↑ M↑
    IMPORTANT_RETAIN = "important_retain", _("重要挽留客户")  # R↓ F↓ M↑
    GENERAL_VALUE = "general_value", _("一般价值客户")  # R↑ F↑ M↓
    GENERAL_DEVELOP = "general_develop", _("一般发展客户")  # R↑ F↓ M↓
    GENERAL_KEEP = "general_keep", _("一般保持客户")  # R↓ F↑ M↓
    GENERAL_RETAIN = "general_retain", _("一般挽留客户")  # R↓ F↓ M↓


class ChurnRisk(models.TextChoices):
    NONE = "none", _("No sign")
    MEDIUM = "medium", _("Some risk")
    HIGH = "high", _("High risk")


class TierSource(models.TextChoices):
    RULE = "rule", _("Rule")
    OVERRIDE = "override", _("Manual override")
    NONE = "none", _("No tier matched")


class TierMatch(models.TextChoices):
    ALL = "all", _("all conditions")
    ANY = "any", _("any condition")


class TierChangeCause(models.TextChoices):
    SCORING = "scoring", _("Scoring run")
    OVERRIDE = "override", _("Manual override")
    OVERRIDE_ENDED = "override_ended", _("Override ended")


class AffinityKind(models.TextChoices):
    """What a co-purchase neighbour links: two categories, or two products."""

    CATEGORY = "category", _("Category")
    PRODUCT = "product", _("Product")


# The dashboard's CLV histogram: log-spaced buckets in the archive's currency (1–3–10 steps),
# [0, 100), [100, 300), …, [1M, ∞). Stored dashboard cells count customers at or above each edge.
CLV_EDGES: tuple[int, ...] = (0, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
