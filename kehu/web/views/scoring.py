"""Tiers and scoring: the ordered tier rules, their distribution, scoring runs and jobs.

Reading is for those who see every customer (the figures are base-wide); defining tiers
and starting a run is for administrators and archive managers.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure, sees_all_customers
from kehu.insights import jobs
from kehu.insights.models import ScoringRun
from kehu.insights.selectors import current_run, scoring_runs, tier_list
from kehu.insights.services import tiers_define
from kehu.insights.tier_rules import FIELDS, OPERATORS
from kehu.web.forms.errors import attach_errors, error_items
from kehu.web.forms.insights import TierRulesForm, rules_as_json
from kehu.web.forms.widgets import DateInput
from kehu.web.views.common import ensure_configurer, vary_on_htmx, wants_fragment

RUNS_SHOWN = 20
STAGES = {"read": gettext_lazy("reading orders"), "model": gettext_lazy("fitting the models"),
          "write": gettext_lazy("writing the scores")}


class ScoringStartForm(forms.Form):
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False, widget=DateInput(),
                            help_text=gettext_lazy("Empty: today. Re-scoring a date replaces its figures."))


def _ensure_reader(user: User) -> None:
    if not sees_all_customers(user):
        raise PermissionDenied(_("Only administrators, archive managers and analysts can see this."))


def distribution(run: ScoringRun | None) -> list[dict[str, Any]]:
    """Customers per tier in a run, in today's tier order; tiers since retired come after."""
    if run is None:
        return []
    counts: dict[str, int] = dict((run.counts or {}).get("tier", {}))
    total = sum(counts.values()) or 1
    colours = {t.name: t.color for t in tier_list()}
    names = [name for name in colours if name in counts] + [n for n in counts if n and n not in colours]
    rows = [{"name": name, "color": colours.get(name, "#9ca3af"), "count": counts[name],
             "percent": round(100 * counts[name] / total, 1)} for name in names]
    if counts.get(""):
        rows.append({"name": "", "color": "#e5e7eb", "count": counts[""], "percent": round(100 * counts[""] / total, 1)})
    return rows


_KEY = re.compile(r"^tiers(?:\[(\d+)\])?(?:\.(name|match|conditions))?(?:\[(\d+)\])?(?:\.(field|op|value))?$")
_PARTS = {"name": gettext_lazy("name"), "match": gettext_lazy("match"), "conditions": gettext_lazy("conditions"),
          "field": gettext_lazy("field"), "op": gettext_lazy("operator"), "value": gettext_lazy("value")}


def where(key: str, rules: Any) -> str:
    """`tiers[1].conditions[0].op` → “Tier 2 (银牌), condition 1, operator”, for people."""
    found = _KEY.match(key)
    if not found:
        return key
    tier, part, condition, sub = found.groups()
    if tier is None:
        return _("Tier list")
    index = int(tier)
    item = rules[index] if isinstance(rules, list) and index < len(rules) else None
    name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
    label = (_("Tier %(n)s (%(name)s)") % {"n": index + 1, "name": name}) if name else _("Tier %(n)s") % {"n": index + 1}
    if condition is not None:
        label = _("%(tier)s, condition %(n)s") % {"tier": label, "n": int(condition) + 1}
    detail = sub or (part if condition is None else None)
    if detail:
        label = _("%(where)s: %(part)s") % {"where": label, "part": _PARTS[detail]}
    return label


def _page(request: HttpRequest, *, rules_form: TierRulesForm | None = None, rule_errors: list | None = None,
          start_form: ScoringStartForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    configure = may_configure(user)
    tiers = tier_list()
    run = current_run()
    context = {
        "tiers": tiers,
        "run": run,
        "distribution": distribution(run),
        "runs": scoring_runs(viewer=user, limit=RUNS_SHOWN),
        "can_configure": configure,
        "rules_form": rules_form or (TierRulesForm(initial={"rules": rules_as_json(tiers)}) if configure else None),
        "rule_errors": rule_errors or [],
        "start_form": start_form or (ScoringStartForm() if configure else None),
        "fields": [{"name": name, "kind": spec.kind, "operators": OPERATORS[spec.kind], "choices": spec.choices}
                   for name, spec in FIELDS.items()],
        "keep_days": settings.KEHU_SCORES_KEEP_DAYS, "keep_months": settings.KEHU_SCORES_KEEP_MONTHS,
        **jobs_context(user),
    }
    return render(request, "web/insights/scoring.html", context, status=status)


def jobs_context(user: User) -> dict[str, Any]:
    recent = jobs.recent_jobs(viewer=user)
    for job in recent:
        job.interrupted = jobs.is_stale(job)  # type: ignore[attr-defined]
    return {"active_job": jobs.active_job(), "jobs": recent, "stages": STAGES}


@login_required
@require_GET
def scoring_view(request: HttpRequest) -> HttpResponse:
    _ensure_reader(request.user)
    return _page(request)


@login_required
@require_POST
def tiers_define_view(request: HttpRequest) -> HttpResponse:
    ensure_configurer(request.user)
    form = TierRulesForm(request.POST)
    if not form.is_valid():
        return _page(request, rules_form=form)
    rules = form.cleaned_data["rules"]
    try:
        tiers_define(actor=request.user, tiers=rules)
    except ValidationError as error:
        # Every problem at once, each with where it is in words and the key it has in the API.
        rows = [{"where": where(key, rules), "key": key, "messages": texts}
                for key, texts in error_items(error).items()]
        form.add_error("rules", _("The tiers were not saved: correct the problems listed below."))
        return _page(request, rules_form=form, rule_errors=rows)
    messages.success(request, _("Tiers saved. The next scoring run applies them."))
    return redirect("web:insights")


@login_required
@require_POST
def scoring_start_view(request: HttpRequest) -> HttpResponse:
    ensure_configurer(request.user)
    form = ScoringStartForm(request.POST)
    started = False
    if form.is_valid():
        try:
            jobs.scoring_job_start(actor=request.user, as_of=form.cleaned_data["as_of"])
        except jobs.JobAlreadyActive as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            started = True
    if wants_fragment(request):
        context = {**jobs_context(request.user), "start_form": ScoringStartForm() if started else form,
                   "can_configure": True}
        return vary_on_htmx(render(request, "web/insights/_jobs.html", context))
    if started:
        messages.success(request, _("Scoring run started."))
        return redirect("web:insights")
    return _page(request, start_form=form)


@login_required
@require_GET
def scoring_status_view(request: HttpRequest) -> HttpResponse:
    """The jobs panel alone, which the page polls while a job is queued or running."""
    _ensure_reader(request.user)
    context = {**jobs_context(request.user), "can_configure": may_configure(request.user),
               "start_form": ScoringStartForm() if may_configure(request.user) else None}
    response = vary_on_htmx(render(request, "web/insights/_jobs.html", context))
    watched = request.GET.get("watching", "")
    if watched.isdigit() and (context["active_job"] is None or str(context["active_job"].pk) != watched):
        # The job the page was watching has finished: reload it, so the runs and the
        # distribution show the new figures.
        response["HX-Refresh"] = "true"
    return response
