"""The timeline (filter, load more) and communications: quick-log, edit, edit history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.models import Role, User
from kehu.accounts.permissions import may_configure, may_write_customers
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_history, interaction_log, interaction_update
from kehu.web.forms.activity import InteractionForm
from kehu.web.forms.errors import attach_errors
from kehu.web.views.common import ensure_writer, vary_on_htmx, wants_fragment
from kehu.web.views.customer360 import interaction_form, key_figures, people_choices, timeline_context
from kehu.web.views.detail import detail_context

HISTORY_LIMIT = 100
STAFF_CHOICES = 200
WRITER_ROLES = (Role.ADMINISTRATOR, Role.ARCHIVE_MANAGER, Role.SALES, Role.SERVICE)


@login_required
@require_GET
def timeline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline alone: the filtered block, or the next page of entries for "load more"."""
    customer = customer_get(viewer=request.user, pk=pk)
    if not wants_fragment(request):
        # Without htmx the customer page itself reads the same filter from its query string.
        query = request.GET.urlencode()
        return redirect(reverse("web:customer-detail", args=[pk]) + (f"?{query}" if query else "") + "#timeline")
    context: dict[str, Any] = {"customer": customer, "can_write": may_write_customers(request.user)}
    context.update(timeline_context(request, customer))
    if context.get("bad_cursor"):
        return vary_on_htmx(render(request, "web/activity/_timeline_error.html", context, status=400))
    more = request.htmx.target == "timeline-more"
    template = "web/activity/_entries.html" if more else "web/activity/_timeline.html"
    return vary_on_htmx(render(request, template, context))


def _activity_response(request: HttpRequest, customer: Customer, *, state: dict[str, Any] | None = None,
                       done: bool = False) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=customer.pk)
    if wants_fragment(request):
        context: dict[str, Any] = {"customer": customer, "can_write": may_write_customers(request.user)}
        context["figures"] = key_figures(customer, today=timezone.localdate())
        context.update(timeline_context(request, customer, params={}))
        context["log_form"] = interaction_form(request, customer)
        context["logged"] = done
        context.update(state or {})
        return vary_on_htmx(render(request, "web/activity/fragment.html", context))
    if done:
        return redirect(f"{reverse('web:customer-detail', args=[customer.pk])}#timeline")
    return render(request, "web/customers/detail.html", detail_context(request, customer, {"activity": state or {}}))


@login_required
@require_POST
def interaction_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    form = interaction_form(request, customer, request.POST)
    if form.is_valid():
        try:
            interaction_log(
                actor=request.user, customer=customer, values=form.values(),
                people=form.cleaned_data.get("people") or [],
            )
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            return _activity_response(request, customer, done=True)
    return _activity_response(request, customer, state={"log_form": form})


def _interaction(customer: Customer, item: int) -> Interaction:
    # Through the visible customer: another customer's communication id is a 404.
    interaction = get_object_or_404(Interaction, pk=item, customer=customer)
    interaction.customer = customer
    return interaction


def _history_rows(interaction: Interaction) -> list[dict[str, Any]]:
    rows = []
    for event in interaction_history(interaction)[:HISTORY_LIMIT]:
        changes = event.changes if isinstance(event.changes, dict) else {}
        if event.action.endswith(".update"):
            # Bookkeeping columns (updated_at) are not something a person changed.
            fields = [{"name": name, "old": pair[0], "new": pair[1]} for name, pair in sorted(changes.items())
                      if name in FIELD_LABELS and isinstance(pair, list) and len(pair) == 2]
        else:
            fields = []
        rows.append({"event": event, "created": event.action.endswith(".create"), "fields": fields})
    return rows


FIELD_LABELS = {name: Interaction._meta.get_field(name).verbose_name for name in InteractionForm.QUICK + InteractionForm.MORE}
FIELD_LABELS |= {"staff": _("Staff who took part"), "people": _("Their people involved")}


def _participant_names(history: list[dict[str, Any]]) -> None:
    """The log keeps who took part as ids; show names (one query per kind)."""
    ids: dict[str, set[int]] = {"staff": set(), "people": set()}
    for row in history:
        for field in row["fields"]:
            if field["name"] in ids:
                for side in ("old", "new"):
                    ids[field["name"]] |= {v for v in field[side] or [] if isinstance(v, int)}
    if not any(ids.values()):
        return
    names = {
        "staff": {u.pk: str(u) for u in User.objects.filter(pk__in=ids["staff"])},
        "people": dict(Customer.objects.filter(pk__in=ids["people"]).values_list("pk", "name")),
    }
    separator = pgettext("list separator", ", ")
    for row in history:
        for field in row["fields"]:
            if field["name"] in names:
                for side in ("old", "new"):
                    field[side] = separator.join(names[field["name"]].get(v, f"#{v}") for v in field[side] or [])


def _staff_choices(actor: User, customer: Customer, current: list[User]) -> list[User]:
    """Colleagues who could have taken part: everyone for managers; for staff, people of their
    own and the customer's team. Whoever is already listed stays choosable."""
    writers = User.objects.filter(is_active=True, role__in=WRITER_ROLES)
    if not may_configure(actor):
        writers = writers.filter(Q(team_id=actor.team_id, team__isnull=False) | Q(team_id=customer.team_id, team__isnull=False))
    chosen = {u.pk: u for u in writers.order_by("username")[:STAFF_CHOICES]}
    for user in [actor, *current]:
        chosen.setdefault(user.pk, user)
    return sorted(chosen.values(), key=lambda u: u.username)


def _people_choices(request: HttpRequest, customer: Customer, current: list[Customer]) -> list[Customer]:
    """The customer's people the viewer may pick, plus those already listed (so saving keeps them)."""
    chosen = {p.pk: p for p in people_choices(request, customer)}
    for person in current:
        chosen.setdefault(person.pk, person)
    return list(chosen.values())


@login_required
@require_http_methods(["GET", "POST"])
def interaction_edit_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    interaction = _interaction(customer, item)
    can_write = may_write_customers(request.user)
    # The picker shows minutes; an untouched time must not lose its seconds, so only
    # the fields the user changed go to the service.
    initial: dict[str, Any] = {name: getattr(interaction, name) for name in InteractionForm.QUICK + InteractionForm.MORE}
    initial["occurred_at"] = timezone.localtime(interaction.occurred_at).replace(second=0, microsecond=0)
    staff = list(interaction.staff.all())
    people = list(interaction.people.all())
    initial["staff"] = [u.pk for u in staff]
    initial["people"] = [p.pk for p in people]
    choices: dict[str, Any] = {}
    if can_write:
        choices = {"staff": _staff_choices(request.user, customer, staff), "people": _people_choices(request, customer, people)}
    if request.method == "POST":
        ensure_writer(request.user)
        form = InteractionForm(request.POST, initial=initial, prefix="edit", **choices)
        if form.is_valid():
            values = form.values()
            changed = set(form.changed_data)
            try:
                interaction_update(
                    actor=request.user, interaction=interaction,
                    values={name: values[name] for name in changed if name in values},
                    # None = unchanged: only a list the user touched replaces who took part.
                    staff=list(form.cleaned_data["staff"]) if "staff" in changed else None,
                    people=list(form.cleaned_data.get("people") or []) if "people" in changed else None,
                )
            except ValidationError as error:
                attach_errors(error, fallback=form)
            else:
                return redirect("web:interaction-edit", pk=pk, item=item)
    else:
        form = InteractionForm(initial=initial, prefix="edit", **choices)
    history = _history_rows(interaction)
    _participant_names(history)
    for row in history:
        for field in row["fields"]:
            field["label"] = FIELD_LABELS.get(field["name"], field["name"])
    context = {
        "customer": customer, "interaction": interaction, "form": form, "can_write": can_write,
        "people": people, "staff": staff, "history": history,
        "staff_names": pgettext("list separator", ", ").join(str(u) for u in staff),
        "people_names": pgettext("list separator", ", ").join(p.name for p in people),
    }
    return render(request, "web/activity/interaction.html", context)
