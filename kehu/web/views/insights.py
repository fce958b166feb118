"""The customer page's Insights card: set and end a manual tier override."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.insights.models import TierOverride
from kehu.insights.services import tier_override_end, tier_override_set
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.insights import TierOverrideForm
from kehu.web.views.common import ensure_configurer, vary_on_htmx, wants_fragment
from kehu.web.views.customer360 import insight_context
from kehu.web.views.detail import detail_context


def _insights_response(request: HttpRequest, customer: Customer, *, form: TierOverrideForm | None = None,
                       notice: str = "") -> HttpResponse:
    """The refreshed card for htmx; otherwise back to the page (or the page with the form's errors)."""
    if wants_fragment(request):
        context = {"customer": customer, **insight_context(request, customer), "notice": notice}
        if form is not None:
            context.update(override_form=form, override_open=True)
        return vary_on_htmx(render(request, "web/insights/_card.html", context))
    if form is None:
        if notice:
            messages.success(request, notice)
        return redirect(f"{reverse('web:customer-detail', args=[customer.pk])}#insights")
    context = detail_context(request, customer)
    context.update(override_form=form, override_open=True)
    return render(request, "web/customers/detail.html", context, status=200)


@login_required
@require_POST
def tier_override_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)  # first: an invisible file is a 404, as a missing one
    ensure_configurer(request.user)
    form = TierOverrideForm(request.POST, prefix="tier")
    if form.is_valid():
        data = form.cleaned_data
        try:
            tier_override_set(actor=request.user, customer=customer, tier=data["tier"], reason=data["reason"],
                              expires_at=data["expires_at"])
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            return _insights_response(request, customer, notice=_("Tier set by hand."))
    return _insights_response(request, customer, form=form)


@login_required
@require_POST
def tier_override_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_configurer(request.user)
    override = TierOverride.objects.filter(customer=customer, ended_at__isnull=True).first()
    if override is None:
        # Ended meanwhile (another tab, an expiry): the card shows how things stand now.
        return _insights_response(request, customer, notice=_("This customer has no tier override."))
    try:
        tier_override_end(actor=request.user, override=override)
    except ValidationError:
        return _insights_response(request, customer, notice=_("This customer has no tier override."))
    return _insights_response(request, customer, notice=_("Override ended: the tier follows the rules again."))
