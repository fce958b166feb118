"""Quick-logging a communication from the customer page, editing it, its edit history."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.customers.services import relationship_add
from kehu.interactions.models import Interaction
from tests.conftest import make_organization, make_person
from tests.web.activity_helpers import make_call

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "activity"}


def log_url(customer) -> str:
    return reverse("web:interaction-log", args=[customer.pk])


def quick(**values) -> dict:
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {"log-channel": "phone", "log-direction": "outbound", "log-occurred_at": now, "log-content": "报价已发"}
    data.update({f"log-{k}": v for k, v in values.items()})
    return data


def test_quick_log_form_is_on_the_page_with_phone_outbound_now_and_focus(client, sales, customer):
    client.force_login(sales)
    response = client.get(reverse("web:customer-detail", args=[customer.pk]))
    form = response.context["log_form"]
    assert form["channel"].value() == "phone" and form["direction"].value() == "outbound"
    body = response.content.decode()
    assert 'id="quicklog"' in body and "data-ctrl-enter" in body
    assert 'name="log-content"' in body and "autofocus" in body


def test_quick_log_with_htmx_swaps_the_timeline_and_figures(client, sales, customer):
    client.force_login(sales)
    next_contact = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(log_url(customer), quick(outcome="interested", next_step="寄样品", next_contact_on=next_contact),
                           **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="activity"' in body and "报价已发" in body and "Communication logged" in body
    assert 'id="figures" class="kpis" hx-swap-oob="true"' in body and next_contact in body
    interaction = Interaction.objects.get()
    assert (interaction.channel, interaction.outcome, interaction.next_step) == ("phone", "interested", "寄样品")
    assert list(interaction.staff.all()) == [sales]


def test_quick_log_plain_post_redirects_to_the_timeline(client, sales, customer):
    client.force_login(sales)
    response = client.post(log_url(customer), quick())
    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer-detail", args=[customer.pk]) + "#timeline"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"occurred_at": "not a time"}, "occurred_at"),
        ({"next_contact_on": "2025-02-30"}, "next_contact_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"duration_minutes": "-5"}, "duration_minutes"),
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at"),  # the service refuses the future
    ],
)
def test_bad_communication_is_a_field_error_and_nothing_is_written(client, sales, customer, values, field):
    client.force_login(sales)
    response = client.post(log_url(customer), quick(**values), **HTMX)
    assert response.status_code == 200
    assert response.context["log_form"].errors.get(field), response.context["log_form"].errors
    assert 'class="errorlist"' in response.content.decode()
    page = client.post(log_url(customer), quick(**values))
    assert page.status_code == 200 and "Nothing was saved" in page.content.decode()
    assert not Interaction.objects.exists()


def test_organisation_logs_which_key_people_took_part(client, sales):
    company = make_organization(sales)
    boss = make_person(sales, "刘总", contact_points=[])
    stranger = make_person(sales, "路人", contact_points=[])
    relationship_add(actor=sales, from_customer=boss, to_customer=company, type="key_person_of")
    client.force_login(sales)
    page = client.get(reverse("web:customer-detail", args=[company.pk])).content.decode()
    assert 'name="log-people"' in page and "刘总" in page
    client.post(log_url(company), {**quick(), "log-people": [str(boss.pk)]}, **HTMX)
    assert list(Interaction.objects.get().people.all()) == [boss]
    response = client.post(log_url(company), {**quick(), "log-people": [str(stranger.pk)]}, **HTMX)
    assert response.context["log_form"].errors.get("people")
    assert Interaction.objects.count() == 1


def test_edit_a_communication_and_see_its_history(client, sales, customer):
    interaction = make_call(sales, customer, "第一版")
    client.force_login(sales)
    url = reverse("web:interaction-edit", args=[customer.pk, interaction.pk])
    page = client.get(url)
    assert page.status_code == 200 and "第一版" in page.content.decode()
    data = {f"edit-{k}": v for k, v in {
        "channel": "wechat", "direction": "inbound", "content": "第二版", "outcome": "deal",
        "occurred_at": timezone.localtime(interaction.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "staff": [str(sales.pk)],
    }.items()}
    occurred = interaction.occurred_at
    response = client.post(url, data)
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.content, interaction.channel) == ("第二版", "wechat")
    assert interaction.occurred_at == occurred  # untouched: the minute picker did not drop its seconds
    body = client.get(url).content.decode()
    assert "Edit history" in body and "第一版" in body and "第二版" in body
    assert "updated_at" not in body and "Occurred at" not in body.split("Edit history")[1]
    bad = client.post(url, {**data, "edit-next_contact_on": "someday"})
    assert bad.status_code == 200 and bad.context["form"].errors.get("next_contact_on")


def test_communications_of_other_customers_are_404(client, sales, outsider, customer, pool_customer):
    hidden = make_person(outsider, "赵六", contact_points=[])
    secret = make_call(outsider, hidden, "机密")
    client.force_login(sales)
    # An id of a customer the viewer cannot see, even reached through a visible one, is a 404.
    assert client.get(reverse("web:interaction-edit", args=[customer.pk, secret.pk])).status_code == 404
    assert client.get(reverse("web:interaction-edit", args=[hidden.pk, secret.pk])).status_code == 404
    response = client.post(reverse("web:interaction-edit", args=[customer.pk, secret.pk]),
                           {"edit-channel": "sms", "edit-content": "x"})
    assert response.status_code == 404
    assert client.post(log_url(hidden), quick()).status_code == 404
    secret.refresh_from_db()
    assert secret.content == "机密" and Interaction.objects.count() == 1


def test_analyst_reads_but_cannot_log(client, sales, analyst, customer):
    interaction = make_call(sales, customer, "记录")
    client.force_login(analyst)
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "记录" in page and 'id="quicklog"' not in page
    assert client.post(log_url(customer), quick()).status_code == 403
    edit = reverse("web:interaction-edit", args=[customer.pk, interaction.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"edit-channel": "sms", "edit-content": "改"}).status_code == 403
    assert Interaction.objects.get().content == "记录"


def test_anonymous_is_sent_to_sign_in(client, sales, customer):
    interaction = make_call(sales, customer)
    for url in (log_url(customer), reverse("web:interaction-edit", args=[customer.pk, interaction.pk]),
                reverse("web:timeline", args=[customer.pk])):
        response = client.post(url) if url == log_url(customer) else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _edit_data(interaction, **extra) -> dict:
    data = {
        "channel": interaction.channel, "direction": interaction.direction, "content": interaction.content,
        "occurred_at": timezone.localtime(interaction.occurred_at).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(extra)
    return {f"edit-{k}": v for k, v in data.items()}


def test_edit_who_took_part(client, sales, teammate, outsider):
    company = make_organization(sales)
    boss = make_person(sales, "刘总", contact_points=[])
    cfo = make_person(sales, "陈会计", contact_points=[])
    stranger = make_person(sales, "路人", contact_points=[])
    for person in (boss, cfo):
        relationship_add(actor=sales, from_customer=person, to_customer=company, type="key_person_of")
    interaction = make_call(sales, company, "谈判")
    interaction.people.set([boss])
    client.force_login(sales)
    url = reverse("web:interaction-edit", args=[company.pk, interaction.pk])
    page = client.get(url).content.decode()
    assert 'name="edit-staff"' in page and 'name="edit-people"' in page and "陈会计" in page
    assert "outsider" not in page  # another team's salesperson is not offered
    response = client.post(url, _edit_data(interaction, staff=[str(sales.pk), str(teammate.pk)], people=[str(cfo.pk)]))
    assert response.status_code == 302
    assert set(interaction.staff.all()) == {sales, teammate}
    assert list(interaction.people.all()) == [cfo]
    body = client.get(url).content.decode()
    assert "Staff who took part" in body.split("Edit history")[1] and "刘总" in body.split("Edit history")[1]
    # Nobody from our side, or a person not linked to the company: field errors, nothing written.
    response = client.post(url, _edit_data(interaction, staff=[], people=[str(cfo.pk)]))
    assert response.status_code == 200 and response.context["form"].errors.get("staff")
    response = client.post(url, _edit_data(interaction, staff=[str(sales.pk)], people=[str(stranger.pk)]))
    assert response.status_code == 200 and response.context["form"].errors.get("people")
    response = client.post(url, _edit_data(interaction, staff=[str(outsider.pk)]))
    assert response.status_code == 200 and response.context["form"].errors.get("staff")
    assert set(interaction.staff.all()) == {sales, teammate} and list(interaction.people.all()) == [cfo]


def test_editing_text_leaves_participants_alone(client, sales, teammate, customer):
    interaction = make_call(sales, customer, "旧")
    interaction.staff.set([sales, teammate])
    client.force_login(sales)
    url = reverse("web:interaction-edit", args=[customer.pk, interaction.pk])
    response = client.post(url, _edit_data(interaction, content="新", staff=[str(sales.pk), str(teammate.pk)]))
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert interaction.content == "新" and set(interaction.staff.all()) == {sales, teammate}
