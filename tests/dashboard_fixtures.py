"""A hand-built scored archive for the dashboard: snapshots written directly, so every figure
can be worked out by hand (the real scoring pipeline is tested in tests/insights).

Two runs: 2025-03-31 (one snapshot) and 2025-06-30, the current one:

| customer | owner           | tier (before → now) | R F | segment / class           | CLV     | window spend | risk   |
|----------|-----------------|---------------------|-----|---------------------------|---------|--------------|--------|
| 甲 c1    | sales (North)   | 银牌 → 金牌 (up)     | 5 5 | champions / important_value | 5,000 | 3,000        | none   |
| 乙 c2    | sales (North)   | 金牌 → 银牌 (down)   | 4 3 | loyal / important_keep    | 250     | 800          | high (overdue, spend fall) |
| 丙 c3    | outsider (South)| none → 金牌 (up)     | 5 4 | champions / important_value | 150,000 | 20,000     | medium (p_alive) |
| 丁 c4    | pool            | 普通 (unchanged)     | 1 1 | lost / general_retain     | 50      | 40           | medium (overdue) |
| 戊 c5    | pool, no orders | none (unchanged)     | — — | —                         | —       | 0            | none   |
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from kehu.customers.models import Customer
from kehu.insights.models import CustomerScore, ScoringRun, Tier, TierChange

AS_OF = datetime.date(2025, 6, 30)
PREVIOUS = datetime.date(2025, 3, 31)
PARAMETERS = {"window_days": 365, "clv_months": 12,
              "churn": {"p_alive_below": 0.5, "overdue_factor": 2.0, "spend_period_days": 90, "spend_drop": 0.5}}


def _customer(number: str, name: str, owner, team) -> Customer:
    return Customer.objects.create(kind="person", number=number, name=name, owner=owner, team=team)


def build(*, sales, outsider) -> dict[str, object]:
    gold = Tier.objects.create(name="金牌", position=1, color="#d4a017")
    silver = Tier.objects.create(name="银牌", position=2, color="#9ca3af")
    ordinary = Tier.objects.create(name="普通", position=3, conditions=[])
    c1 = _customer("D001", "客户甲", sales, sales.team)
    c2 = _customer("D002", "客户乙", sales, sales.team)
    c3 = _customer("D003", "客户丙", outsider, outsider.team)
    c4 = _customer("D004", "客户丁", None, None)
    c5 = _customer("D005", "客户戊", None, None)
    now = timezone.now()
    previous = ScoringRun.objects.create(as_of=PREVIOUS, status="done", parameters=PARAMETERS, finished_at=now)
    current = ScoringRun.objects.create(as_of=AS_OF, status="done", finished_at=now,
                                        parameters=PARAMETERS | {"tier_changes_since": PREVIOUS.isoformat()})
    ScoringRun.objects.create(as_of=datetime.date(2025, 7, 31), status="failed")  # never shown

    def score(run, customer, **figures) -> CustomerScore:
        return CustomerScore.objects.create(customer=customer, as_of=run.as_of, run=run, **figures)

    score(previous, c1, order_count=3, total_spend=Decimal("900"), monetary=Decimal("900"), frequency=3,
          r_score=4, f_score=4, m_score=4, rfm_score_total=12, rfm_segment="loyal", value_class="important_value",
          clv=Decimal("2000"), tier=silver, rule_tier=silver, tier_source="rule")
    score(current, c1, order_count=8, total_spend=Decimal("3900"), monetary=Decimal("3000"), frequency=6,
          recency_days=3, r_score=5, f_score=5, m_score=5, rfm_score_total=15, rfm_segment="champions",
          value_class="important_value", clv=Decimal("5000"), p_alive=0.98, tier=gold, rule_tier=gold,
          tier_source="rule")
    score(current, c2, order_count=4, total_spend=Decimal("1500"), monetary=Decimal("800"), frequency=2,
          recency_days=200, r_score=4, f_score=3, m_score=3, rfm_score_total=10, rfm_segment="loyal",
          value_class="important_keep", clv=Decimal("250"), p_alive=0.7, churn_risk="high",
          churn_signals="overdue spend_fall", usual_gap_days=50.0, spend_recent=Decimal("100"),
          spend_previous=Decimal("700"), tier=silver, rule_tier=silver, tier_source="rule")
    score(current, c3, order_count=20, total_spend=Decimal("50000"), monetary=Decimal("20000"), frequency=10,
          recency_days=10, r_score=5, f_score=4, m_score=5, rfm_score_total=14, rfm_segment="champions",
          value_class="important_value", clv=Decimal("150000"), p_alive=0.3, churn_risk="medium",
          churn_signals="p_alive", tier=gold, rule_tier=gold, tier_source="rule")
    score(current, c4, order_count=2, total_spend=Decimal("120"), monetary=Decimal("40"), frequency=1,
          recency_days=300, r_score=1, f_score=1, m_score=1, rfm_score_total=3, rfm_segment="lost",
          value_class="general_retain", clv=Decimal("50"), p_alive=0.6, churn_risk="medium",
          churn_signals="overdue", usual_gap_days=60.0, tier=ordinary, rule_tier=ordinary, tier_source="rule")
    score(current, c5, order_count=0)
    for customer, old, new in ((c1, silver, gold), (c2, gold, silver), (c3, None, gold)):
        TierChange.objects.create(customer=customer, changed_at=now, as_of=AS_OF, from_tier=old, to_tier=new,
                                  from_name=old.name if old else "", to_name=new.name, cause="scoring")
    # A change by hand on the run's date is not movement the run made.
    TierChange.objects.create(customer=c4, changed_at=now, as_of=None, from_tier=ordinary, to_tier=silver,
                              cause="override")
    return {"runs": (previous, current), "tiers": (gold, silver, ordinary), "customers": (c1, c2, c3, c4, c5)}
