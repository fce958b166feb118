"""/api/customers/{id}/insight, scores, tier-history, tier-override; /api/insights/tiers,
scoring-runs and scoring-jobs.

A customer's figures go through `visible_to()` (another team's customer answers exactly
like a missing one); tier definitions are readable by everyone signed in (they are not
customer data); run history is base-wide, so for those who see every customer; changing
tiers, overriding and starting runs is for administrators and archive managers.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kehu.accounts.permissions import may_configure, sees_all_customers
from kehu.api import present
from kehu.api.errors import ApiValidationError, error_body, service_errors
from kehu.api.lookups import actor_of, visible_customer
from kehu.api.schemas.common import AUTH_ERRORS, OBJECT_ERRORS, WRITE_ERRORS, PageQuery, PathId
from kehu.api.schemas.insights import (
    HistoryQuery,
    InsightOut,
    OverrideIn,
    OverrideOut,
    ScoreOut,
    ScoringJobOut,
    ScoringRunPage,
    ScoringStartIn,
    TierChangeOut,
    TierOut,
    TiersIn,
)
from kehu.insights import jobs
from kehu.insights.choices import TierSource
from kehu.insights.models import CustomerScore, ScoringJob, ScoringRun, Tier, TierChange, TierOverride
from kehu.insights.selectors import current_run, insight_of, score_history, tier_history, tier_list
from kehu.insights.services import tier_override_end, tier_override_set, tiers_define

router = Router(tags=["insights"])


def _tier_ref(tier: Tier | None) -> dict[str, Any] | None:
    return {"id": tier.pk, "name": tier.name, "color": tier.color} if tier is not None else None


def _tier_out(tier: Tier) -> dict[str, Any]:
    return {"id": tier.pk, "name": tier.name, "position": tier.position, "match": tier.match,
            "conditions": tier.conditions, "description": tier.description, "color": tier.color}


def _score_out(score: CustomerScore, tiers: dict[int, Tier]) -> dict[str, Any]:
    return {
        "as_of": score.as_of, "order_count": score.order_count, "total_spend": score.total_spend,
        "recency_days": score.recency_days, "frequency": score.frequency, "monetary": score.monetary,
        "r_score": score.r_score, "f_score": score.f_score, "m_score": score.m_score,
        "rfm_score_total": score.rfm_score_total,
        "rfm_segment": score.rfm_segment, "rfm_segment_label": score.get_rfm_segment_display(),
        "value_class": score.value_class, "value_class_label": score.get_value_class_display(),
        "clv": score.clv, "p_alive": score.p_alive, "expected_purchases": score.expected_purchases,
        "expected_order_value": score.expected_order_value,
        "churn_risk": score.churn_risk, "churn_risk_label": score.get_churn_risk_display(),
        "tier": _tier_ref(tiers.get(score.tier_id)) if score.tier_id else None, "tier_source": score.tier_source,
    }


def _override_out(override: TierOverride) -> dict[str, Any]:
    return {"id": override.pk, "tier": _tier_ref(override.tier), "reason": override.reason,
            "starts_at": override.starts_at, "expires_at": override.expires_at, "ended_at": override.ended_at,
            "created_by": present.user_ref(override.created_by)}


def _ensure_configurer(request: HttpRequest, message: str) -> None:
    if not may_configure(actor_of(request)):
        raise PermissionDenied(message)


# ------------------------------------------------------------------ a customer's figures


@router.get("/customers/{customer_id}/insight", response={200: InsightOut, **OBJECT_ERRORS})
def get_insight(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """The customer's latest figures (as of the latest scoring run) and the tier in force."""
    customer = visible_customer(request, customer_id)
    run = current_run()
    insight = insight_of(viewer=actor_of(request), customer_id=customer.pk, run=run)
    if insight is None:  # pragma: no cover — visible_customer answered already
        raise Http404
    score = insight.score
    tiers = {t.pk: t for t in (score.tier, score.rule_tier) if t is not None} if score else {}
    if insight.override is not None:
        source = TierSource.OVERRIDE
    elif insight.tier is not None:
        source = TierSource.RULE
    else:
        source = TierSource.NONE
    return {
        "customer_id": customer.pk, "as_of": insight.as_of, "tier": _tier_ref(insight.tier), "tier_source": source,
        "tier_reason": insight.tier_reason,
        "override": _override_out(insight.override) if insight.override else None,
        "prediction_days": (run.parameters or {}).get("prediction_days") if run else None,
        "score": _score_out(score, tiers) if score else None, "churn_reasons": insight.churn_reasons,
    }


@router.get("/customers/{customer_id}/scores", response={200: list[ScoreOut], **OBJECT_ERRORS})
def get_score_history(request: HttpRequest, customer_id: PathId, query: Query[HistoryQuery]) -> list[dict[str, Any]]:
    """Snapshots newest first, one per scoring run the customer was in."""
    customer = visible_customer(request, customer_id)
    scores = score_history(viewer=actor_of(request), customer_id=customer.pk, limit=query.limit)
    tiers = {t.pk: t for t in Tier.objects.filter(pk__in={s.tier_id for s in scores if s.tier_id})}
    return [_score_out(score, tiers) for score in scores]


@router.get("/customers/{customer_id}/tier-history", response={200: list[TierChangeOut], **OBJECT_ERRORS})
def get_tier_history(request: HttpRequest, customer_id: PathId, query: Query[HistoryQuery]) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    changes: list[TierChange] = tier_history(viewer=actor_of(request), customer_id=customer.pk, limit=query.limit)
    return [{"id": c.pk, "changed_at": c.changed_at, "as_of": c.as_of, "from_tier": c.from_name, "to_tier": c.to_name,
             "cause": c.cause, "cause_label": c.get_cause_display(), "reason": c.reason,
             "actor": present.user_ref(c.actor)} for c in changes]


@router.post("/customers/{customer_id}/tier-override", response={201: OverrideOut, **WRITE_ERRORS})
def set_tier_override(request: HttpRequest, customer_id: PathId, payload: OverrideIn) -> Status:
    """Put the customer in a tier by hand (replacing any open override) until `expires_at` or until ended."""
    customer = visible_customer(request, customer_id)
    _ensure_configurer(request, _("Only administrators and archive managers may override tiers."))
    tier = Tier.objects.filter(pk=payload.tier_id).first()
    if tier is None:
        raise ApiValidationError([("tier_id", _("Choose one of the active tiers."))])
    try:
        override = tier_override_set(actor=actor_of(request), customer=customer, tier=tier, reason=payload.reason,
                                     expires_at=payload.expires_at)
    except ValidationError as error:
        pairs = service_errors(error)
        raise ApiValidationError([("tier_id" if field == "tier" else field, message) for field, message in pairs]) \
            from None
    override.created_by = actor_of(request)
    return Status(201, _override_out(override))


@router.delete("/customers/{customer_id}/tier-override", response={204: None, **WRITE_ERRORS})
def end_tier_override(request: HttpRequest, customer_id: PathId) -> Status:
    """End the open override now: the customer goes back to the tier the rules gave. 404 when there is none."""
    customer = visible_customer(request, customer_id)
    _ensure_configurer(request, _("Only administrators and archive managers may override tiers."))
    override = TierOverride.objects.filter(customer=customer, ended_at__isnull=True).first()
    if override is None:
        raise Http404
    try:
        tier_override_end(actor=actor_of(request), override=override)
    except ValidationError:  # ended by someone else in between
        raise Http404 from None
    return Status(204, None)


# ------------------------------------------------------------------ tier definitions

_INDEX = re.compile(r"\[(\d+)\]")


@router.get("/insights/tiers", response={200: list[TierOut], **AUTH_ERRORS})
def list_tiers(request: HttpRequest) -> list[dict[str, Any]]:
    """The active tiers in evaluation order (highest first)."""
    return [_tier_out(tier) for tier in tier_list()]


@router.put("/insights/tiers", response={200: list[TierOut], **WRITE_ERRORS})
def define_tiers(request: HttpRequest, payload: TiersIn) -> list[dict[str, Any]]:
    """Replace the ordered tier list as a whole; rejected as a whole, with every problem, if any rule is wrong
    (unknown field, operator or value, duplicate names, a tier that can never match)."""
    _ensure_configurer(request, _("Only administrators and archive managers may define tiers."))
    try:
        tiers = tiers_define(actor=actor_of(request), tiers=[tier.model_dump() for tier in payload.tiers])
    except ValidationError as error:
        # The rules say `tiers[1].conditions[0].op`; the API's fields are dotted everywhere.
        pairs = service_errors(error)
        raise ApiValidationError([(_INDEX.sub(r".\1", field) if field else field, message)
                                  for field, message in pairs]) from None
    return [_tier_out(tier) for tier in tiers]


# ------------------------------------------------------------------ scoring runs and jobs


def _ensure_reader(request: HttpRequest) -> None:
    if not sees_all_customers(actor_of(request)):
        raise PermissionDenied(_("Only administrators, archive managers and analysts can see this."))


def _run_out(run: ScoringRun) -> dict[str, Any]:
    counts = run.counts or {}
    return {
        "id": run.pk, "as_of": run.as_of, "status": run.status, "started_at": run.started_at,
        "finished_at": run.finished_at, "duration_seconds": run.duration_seconds,
        "requested_by": present.user_ref(run.requested_by),
        "counts": {"customers": counts.get("customers", 0), "buyers": counts.get("buyers", 0),
                   "tier_changes": counts.get("tier_changes", 0), "tiers": counts.get("tier", {}),
                   "rfm_segments": counts.get("rfm_segment", {}), "value_classes": counts.get("value_class", {}),
                   "churn_risk": counts.get("churn_risk", {})},
    }


def _job_out(job: ScoringJob) -> dict[str, Any]:
    return {"id": job.pk, "as_of": job.as_of, "status": job.status, "stage": job.stage,
            "requested_by": present.user_ref(job.requested_by), "requested_at": job.requested_at,
            "started_at": job.started_at, "finished_at": job.finished_at, "run_id": job.run_id, "error": job.error}


@router.get("/insights/scoring-runs", response={200: ScoringRunPage, **AUTH_ERRORS})
def list_scoring_runs(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Scoring runs, latest as-of date first, with their counts (customers per tier, segment, class, risk)."""
    _ensure_reader(request)
    runs = ScoringRun.objects.select_related("requested_by").order_by("-as_of")
    count = runs.count()
    items = list(runs[query.offset: query.offset + query.limit]) if query.offset < count else []
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": [_run_out(r) for r in items]}


@router.post("/insights/scoring-runs", response={202: ScoringJobOut, **WRITE_ERRORS})
def start_scoring_run(request: HttpRequest, payload: ScoringStartIn) -> Any:
    """Score the whole base as of a date, in the background: answers at once with the job, whose status
    `GET /api/insights/scoring-jobs/{job_id}` reports. 409 while another run is queued or running."""
    try:
        job = jobs.scoring_job_start(actor=actor_of(request), as_of=payload.as_of)
    except jobs.JobAlreadyActive as error:
        return Status(409, error_body(str(error)))
    return Status(202, _job_out(job))


@router.get("/insights/scoring-jobs/{job_id}", response={200: ScoringJobOut, **OBJECT_ERRORS})
def get_scoring_job(request: HttpRequest, job_id: PathId) -> dict[str, Any]:
    _ensure_reader(request)
    job = jobs.job_get(viewer=actor_of(request), pk=job_id)
    if job is None:
        raise Http404
    return _job_out(job)
