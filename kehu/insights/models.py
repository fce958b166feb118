"""Derived figures about customers, stored as dated snapshots (DESIGN §3).

- `ScoringRun`: one `kehu score` for one as-of date: its parameters, fit diagnostics, counts.
- `CustomerScore`: one row per (customer, as_of) with RFM, both segment schemes, CLV, churn
  risk and tier. The latest completed run's as-of date is the "current" pointer
  (`ScoringRun.current()`), so a page reads a customer's figures with one unique-index lookup.
- `Tier`, `TierOverride`, `TierChange`: admin-defined tiers, manual overrides, tier history.

Every activity-like table carries `customer_id` (DESIGN §4: shardable with the customer).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Customer
from kehu.insights.choices import (
    CLV_EDGES,
    AffinityKind,
    ChurnRisk,
    RfmSegment,
    TierChangeCause,
    TierMatch,
    TierSource,
    ValueClass,
)


class ScoringRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ScoringRun(models.Model):
    as_of = models.DateField(_("as of"), unique=True)
    status = models.CharField(max_length=8, choices=ScoringRunStatus.choices, default=ScoringRunStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    # The settings used (window, horizon, thresholds, the tier rules as evaluated) so a stored
    # score can always be explained later, even after the rules change.
    parameters = models.JSONField(default=dict)
    # BG/NBD and Gamma-Gamma fits: parameters, log-likelihood, calibration-vs-holdout table.
    diagnostics = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # The dashboard's stored figures (DashboardCell, DashboardMove): when the customers' owners
    # and teams they are grouped by were read, and the last audit event seen then — a customer
    # deleted after it is still counted, so the cells are built again (kehu.insights.dashboard_cells).
    cells_built_at = models.DateTimeField(null=True, blank=True)
    cells_audit_mark = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.status})"

    @classmethod
    def current(cls) -> ScoringRun | None:
        """The completed run with the latest as-of date: what pages show as "now"."""
        return cls.objects.filter(status=ScoringRunStatus.DONE).order_by("-as_of").first()


class ScoringJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ScoringJob(models.Model):
    """A scoring run someone asked for from the web or the API, and how it is going.

    Kept apart from `ScoringRun`: the run's row is written only in the run's final
    transaction, and re-scoring a date must not hide that date's figures while it works.
    Stored in the database so any web process can show the status (DESIGN §4).
    """

    ACTIVE = (ScoringJobStatus.QUEUED, ScoringJobStatus.RUNNING)

    as_of = models.DateField(_("as of"))
    status = models.CharField(max_length=8, choices=ScoringJobStatus.choices, default=ScoringJobStatus.QUEUED)
    # "read" / "model" / "write": the stage the run last reported (see services.scoring_run).
    stage = models.CharField(max_length=8, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(ScoringRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("scoring job")
        verbose_name_plural = _("scoring jobs")
        indexes = [models.Index(fields=["-requested_at"])]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.status})"


class Tier(models.Model):
    """One admin-defined tier; `position` orders evaluation (first match wins)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveIntegerField(_("position"))
    match = models.CharField(_("match"), max_length=3, choices=TierMatch.choices, default=TierMatch.ALL)
    # [{"field": "rfm_score_total", "op": ">=", "value": 12}, …]; empty = catch-all.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#6b7280")
    # Tiers are retired, not deleted: snapshots and history keep pointing at them.
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["-active", "position", "id"]

    def __str__(self) -> str:
        return self.name


class TierOverride(models.Model):
    """A manager's decision that wins over the rules until it expires or is ended."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_overrides")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="overrides")
    reason = models.CharField(_("reason"), max_length=500)
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, help_text=_("Empty: until ended."))
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("tier override")
        verbose_name_plural = _("tier overrides")
        indexes = [models.Index(fields=["customer", "-starts_at"])]
        constraints = [
            # At most one open override per customer: setting a new one ends the old one.
            models.UniqueConstraint(fields=["customer"], condition=Q(ended_at__isnull=True),
                                    name="tier_override_one_open_per_customer"),
        ]

    def in_force_at(self, moment: datetime.datetime) -> bool:
        return (self.starts_at <= moment and (self.ended_at is None or moment < self.ended_at)
                and (self.expires_at is None or moment < self.expires_at))


class TierChange(models.Model):
    """A customer's tier moved: an event for the timeline (customer_id + changed_at + from/to + reason)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_changes", db_index=False)
    changed_at = models.DateTimeField(_("changed at"))
    # The scoring date that produced the change (None for changes made by hand).
    as_of = models.DateField(null=True, blank=True)
    from_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    to_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    # Names as they were, so history reads right after a tier is renamed.
    from_name = models.CharField(max_length=50, blank=True)
    to_name = models.CharField(max_length=50, blank=True)
    cause = models.CharField(max_length=16, choices=TierChangeCause.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        # (as_of, cause, …) covers the dashboard's tier movement: changes a run made, grouped by from/to.
        indexes = [models.Index(fields=["customer", "-changed_at"]),
                   models.Index(fields=["as_of", "cause", "from_tier", "to_tier", "customer"],
                                name="tier_change_run_movement")]

    def __str__(self) -> str:
        return f"{self.from_name or '—'} → {self.to_name or '—'}"


class CustomerScore(models.Model):
    """Everything derived about one customer as of one date."""

    # Few indexes and no database-level foreign keys, on purpose: a run writes a row per
    # customer, and every index and deferred FK check is paid a million times at commit
    # (measured: ~40 s of a 500k-customer run on PostgreSQL). The ids come from the database
    # in the same transaction; deleting a customer through the ORM still cascades here.
    # (customer, as_of) serves the page lookup; (as_of, tier) a tier's members and deletes.
    # The dashboard reads its run's stored cells (DashboardCell), not these rows, so no
    # index covers its grouping any more: that 11-column index cost about a third of the
    # snapshot write (benchmarks/score.py).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="scores", db_index=False,
                                 db_constraint=False)
    as_of = models.DateField()
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="scores", db_index=False,
                            db_constraint=False)
    # all history up to as_of (the CLV inputs)
    order_count = models.PositiveIntegerField(default=0)
    total_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # RFM: recency over all history, frequency and monetary over the window
    recency_days = models.PositiveIntegerField(null=True)
    frequency = models.PositiveIntegerField(default=0)
    monetary = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    r_score = models.PositiveSmallIntegerField(null=True)
    f_score = models.PositiveSmallIntegerField(null=True)
    m_score = models.PositiveSmallIntegerField(null=True)
    rfm_score_total = models.PositiveSmallIntegerField(null=True)
    rfm_segment = models.CharField(max_length=20, choices=RfmSegment.choices, blank=True)
    value_class = models.CharField(max_length=20, choices=ValueClass.choices, blank=True)
    # CLV (null when the models could not be fitted)
    expected_purchases = models.FloatField(null=True)
    p_alive = models.FloatField(null=True)
    expected_order_value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    clv = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    # churn
    churn_risk = models.CharField(max_length=8, choices=ChurnRisk.choices, default=ChurnRisk.NONE)
    # Which signals fired ("p_alive overdue spend_fall"), with the figures behind them in the
    # columns below; `churn.reasons` puts them into words with the run's thresholds.
    churn_signals = models.CharField(max_length=40, blank=True)
    usual_gap_days = models.FloatField(null=True)
    spend_recent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    spend_previous = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # tier: what the rules gave and what is in force (an override may win)
    rule_tier = models.ForeignKey(Tier, null=True, on_delete=models.PROTECT, related_name="+", db_index=False,
                                  db_constraint=False)
    tier = models.ForeignKey(Tier, null=True, on_delete=models.PROTECT, related_name="+", db_index=False,
                             db_constraint=False)
    tier_source = models.CharField(max_length=8, choices=TierSource.choices, default=TierSource.NONE)
    # The reason is not repeated on a million rows: a rule tier's reason is its rule as stored
    # in the run's parameters, an override's is the override's own (see `tier_reason`).
    override = models.ForeignKey(TierOverride, null=True, on_delete=models.SET_NULL, related_name="+",
                                 db_index=False, db_constraint=False)
    # The customer's owner and team when the run's dashboard cells were built: the key the
    # customer is counted under there (plain ids: a snapshot, not a link).
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        constraints = [models.UniqueConstraint(fields=["customer", "as_of"], name="customer_score_once_per_date")]
        indexes = [models.Index(fields=["as_of", "tier"], name="customer_score_tier"),
                   # The dashboard's most valuable customers at risk: walked from the highest CLV
                   # down, it stops at the tenth at-risk row instead of sorting every one.
                   models.Index(fields=["as_of", "clv", "monetary", "customer", "churn_risk"],
                                name="customer_score_at_risk")]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.as_of}"

    def tier_reason(self, run_parameters: dict) -> str:
        """Why this customer had this tier on this date, from the rules the run evaluated."""
        if self.tier_source == TierSource.OVERRIDE and self.override is not None:
            return self.override.reason
        from kehu.insights.tier_rules import rule_reason

        return rule_reason(run_parameters, self.rule_tier_id)


class ItemAffinity(models.Model):
    """"Customers who bought `item` also bought `other`": one of `item`'s top-k co-purchase
    neighbours as of a scoring date, with the counts the rates are read from.

    Base-wide aggregates, never about one customer: every pair was bought by at least the
    run's minimum support of customers (see `kehu.insights.affinity`). `item` and `other`
    are category names, or product ids written as text.
    """

    as_of = models.DateField()
    kind = models.CharField(max_length=8, choices=AffinityKind.choices)
    item = models.CharField(max_length=100)
    other = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(help_text="1 = the strongest neighbour of `item`")
    both = models.PositiveIntegerField(help_text="customers who bought both")
    item_buyers = models.PositiveIntegerField()
    other_buyers = models.PositiveIntegerField()
    confidence = models.FloatField(help_text="both / item_buyers: the share of `item`'s buyers who bought `other`")
    lift = models.FloatField(help_text="confidence / (other_buyers / buyers): how much likelier than for anyone")
    cosine = models.FloatField(help_text="both / sqrt(item_buyers × other_buyers)")

    class Meta:
        verbose_name = _("co-purchase neighbour")
        verbose_name_plural = _("co-purchase neighbours")
        constraints = [models.UniqueConstraint(fields=["as_of", "kind", "item", "rank"], name="item_affinity_rank_once")]

    def __str__(self) -> str:
        return f"{self.item} → {self.other} ({self.as_of})"


class DashboardCell(models.Model):
    """One group of a run's dashboard figures: the customers of one owner and team sharing
    tier, R and F scores, segment, value class and churn risk, with what the dashboard sums.

    A few thousand rows per run, written when the run ends; a dashboard adds up the cells its
    viewer may see (`ownership_scope`) instead of reading a million snapshots per request."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="dashboard_cells")
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    tier_id = models.BigIntegerField(null=True)
    r_score = models.PositiveSmallIntegerField(null=True)
    f_score = models.PositiveSmallIntegerField(null=True)
    rfm_segment = models.CharField(max_length=20, blank=True)
    value_class = models.CharField(max_length=20, blank=True)
    churn_risk = models.CharField(max_length=8)
    n = models.PositiveIntegerField()
    buyers = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=18, decimal_places=2)
    clv_sum = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    clv_unknown = models.PositiveIntegerField()
    # clv_ge_i: customers whose CLV is at least CLV_EDGES[i] (the histogram is their differences)
    for _edge in range(len(CLV_EDGES)):
        locals()[f"clv_ge_{_edge}"] = models.PositiveIntegerField()
    del _edge

    class Meta:
        verbose_name = _("dashboard cell")
        verbose_name_plural = _("dashboard cells")
        indexes = [models.Index(fields=["run", "owner_id", "team_id"], name="dashboard_cell_owner")]


class DashboardMove(models.Model):
    """How many customers of one owner and team the run moved from one tier to another."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="dashboard_moves")
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    from_tier_id = models.BigIntegerField(null=True)
    to_tier_id = models.BigIntegerField(null=True)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("dashboard tier move")
        verbose_name_plural = _("dashboard tier moves")
        indexes = [models.Index(fields=["run", "owner_id", "team_id"], name="dashboard_move_owner")]
