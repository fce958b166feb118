"""Sensitive data in the web UI: masking, reveal, editing, consent, view audit, data-subject requests."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.customers.models import Consent, Customer
from kehu.customers.services import ConsentData, consent_record
from kehu.privacy.models import DataSubjectRequest
from kehu.privacy.services import request_open
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a9-信仰"
HEALTH = "HEALTH-CANARY-9c1e"
ID_NUMBER = "11010519491231002X"
PERSONAS = ["sales", "teammate", "manager", "admin", "analyst"]


@pytest.fixture
def secret_customer(sales) -> Customer:
    return make_person(
        sales, "周秘", consents=[SENSITIVE_CONSENT],
        profile={"beliefs": CANARY, "health_notes": HEALTH, "id_number": ID_NUMBER, "blood_type": "AB"},
    )


def pages_of(customer: Customer) -> list[str]:
    return [
        reverse("web:customer-detail", args=[customer.pk]),
        reverse("web:customer-edit", args=[customer.pk]),
        reverse("web:customer-list"),
        reverse("web:customer-list") + "?q=周秘",
        reverse("web:timeline", args=[customer.pk]),
        reverse("web:order-list", args=[customer.pk]),
        reverse("web:service-list", args=[customer.pk]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_plaintext_never_in_any_page_unless_revealed(request, client, secret_customer, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in pages_of(secret_customer):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            body = response.content.decode()
            assert response.status_code in (200, 302, 403), url
            for secret in (CANARY, HEALTH, ID_NUMBER):
                assert secret not in body, (persona, url, secret)
    page = client.get(reverse("web:customer-detail", args=[secret_customer.pk])).content.decode()
    assert "110***********002X" in page and "******" in page


def test_history_and_edit_form_never_show_plaintext(client, sales, secret_customer):
    client.force_login(sales)
    client.post(reverse("web:customer-edit", args=[secret_customer.pk]),
                {**_edit_data(secret_customer), "profile-beliefs": CANARY + "2"})
    page = client.get(reverse("web:customer-detail", args=[secret_customer.pk])).content.decode()
    assert CANARY not in page
    form = client.get(reverse("web:customer-edit", args=[secret_customer.pk])).content.decode()
    assert CANARY not in form and ID_NUMBER not in form
    assert "Leave blank to keep the current value." in form


def test_reveal_shows_values_once_and_audits_the_reason(client, sales, secret_customer):
    client.force_login(sales)
    url = reverse("web:reveal", args=[secret_customer.pk])
    page = client.get(reverse("web:customer-detail", args=[secret_customer.pk])).content.decode()
    assert 'name="reveal-reason"' in page and 'name="reveal-fields"' in page and f'action="{url}' in page
    response = client.post(url, {"reveal-fields": ["beliefs", "id_number"], "reveal-reason": "verifying identity for a contract"},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert CANARY in body and ID_NUMBER in body and HEALTH not in body
    events = AuditEvent.objects.filter(action="privacy.reveal", customer_id=secret_customer.pk)
    assert events.count() == 1
    assert events.get().changes == {"fields": ["beliefs", "id_number"], "reason": "verifying identity for a contract"}
    assert events.get().actor == sales
    # Not remembered: the next page load masks again.
    assert CANARY not in client.get(reverse("web:customer-detail", args=[secret_customer.pk])).content.decode()


def test_reveal_by_plain_post_renders_the_page(client, manager, secret_customer):
    client.force_login(manager)
    response = client.post(reverse("web:reveal", args=[secret_customer.pk]),
                           {"reveal-fields": ["health_notes"], "reveal-reason": "service complaint check"})
    assert response.status_code == 200
    assert HEALTH in response.content.decode() and CANARY not in response.content.decode()


def test_reveal_needs_a_reason_and_writes_nothing(client, sales, secret_customer):
    client.force_login(sales)
    response = client.post(reverse("web:reveal", args=[secret_customer.pk]),
                           {"reveal-fields": ["beliefs"], "reveal-reason": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert "This field is required." in response.content.decode()
    response = client.post(reverse("web:reveal", args=[secret_customer.pk]),
                           {"reveal-fields": ["beliefs"], "reveal-reason": "ab"}, HTTP_HX_REQUEST="true")
    assert "at least a few words" in response.content.decode()
    response = client.post(reverse("web:reveal", args=[secret_customer.pk]),
                           {"reveal-fields": ["name"], "reveal-reason": "good reason here"}, HTTP_HX_REQUEST="true")
    assert CANARY not in response.content.decode()
    assert not AuditEvent.objects.filter(action="privacy.reveal").exists()


def test_reveal_access(client, analyst, outsider, secret_customer):
    url = reverse("web:reveal", args=[secret_customer.pk])
    data = {"reveal-fields": ["beliefs"], "reveal-reason": "curious about it"}
    assert client.post(url, data).status_code == 302  # anonymous → sign in
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    client.force_login(analyst)
    page = client.get(reverse("web:customer-detail", args=[secret_customer.pk])).content.decode()
    assert url not in page  # no button
    assert client.post(url, data).status_code == 403
    assert client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="privacy.reveal").exists()


def test_customer_page_view_is_audited_once_per_full_load(client, teammate, customer):
    client.force_login(teammate)
    client.get(reverse("web:customer-detail", args=[customer.pk]))
    client.get(reverse("web:timeline", args=[customer.pk]), HTTP_HX_REQUEST="true")
    views = AuditEvent.objects.filter(action="customer.view", customer_id=customer.pk)
    assert views.count() == 1 and views.get().actor == teammate
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert views.count() == 2
    assert "customer.view" not in page  # looking is not a change in the History card


def _edit_data(customer: Customer, **overrides) -> dict:
    data = {
        "name": customer.name, "number": customer.number, "status": customer.status,
        "owner": str(customer.owner_id or ""), "source_channel": "", "source_detail": "",
        "last_verified_on": "", "tags": "", "notes": "",
    }
    data.update(overrides)
    return data


def test_blank_sensitive_input_keeps_the_value_and_clear_blanks_it(client, sales, secret_customer):
    client.force_login(sales)
    url = reverse("web:customer-edit", args=[secret_customer.pk])
    response = client.post(url, _edit_data(secret_customer, **{"profile-employer": "云帆"}))
    assert response.status_code == 302
    secret_customer.person.refresh_from_db()
    assert secret_customer.person.beliefs == CANARY and secret_customer.person.employer == "云帆"
    assert secret_customer.person.id_number == ID_NUMBER and secret_customer.person.blood_type == "AB"
    response = client.post(url, _edit_data(secret_customer, **{"profile-clear_beliefs": "on"}))
    assert response.status_code == 302
    secret_customer.person.refresh_from_db()
    assert secret_customer.person.beliefs == "" and secret_customer.person.health_notes == HEALTH
    response = client.post(url, _edit_data(secret_customer, **{"profile-health_notes": "new notes"}))
    secret_customer.person.refresh_from_db()
    assert secret_customer.person.health_notes == "new notes"


def test_sensitive_value_without_consent_is_a_field_error(client, sales, customer):
    client.force_login(sales)
    response = client.post(reverse("web:customer-edit", args=[customer.pk]),
                           _edit_data(customer, **{"profile-beliefs": CANARY, "profile-employer": "X"}))
    assert response.status_code == 200
    errors = response.context["forms"].profile.errors
    assert errors["beliefs"] == ["Sensitive information needs the customer's separate consent on file first."]
    customer.person.refresh_from_db()
    assert customer.person.beliefs == "" and customer.person.employer == ""


def test_create_person_with_sensitive_consent_in_one_go(client, sales):
    client.force_login(sales)
    data = {
        "name": "吴敏", "status": "active", "owner": str(sales.pk), "contact-mobile": "13912345678",
        "profile-blood_type": "O", "profile-beliefs": CANARY,
        "consent-purposes": ["sensitive"], "consent-notice_version": "2026-01", "consent-channel": "paper",
        "consent-evidence": "signed form",
    }
    response = client.post(reverse("web:person-create"), data)
    assert response.status_code == 302, response.context["forms"].consent.errors
    customer = Customer.objects.get(name="吴敏")
    assert customer.person.beliefs == CANARY
    consent = customer.consents.get()
    assert (consent.purpose, consent.notice_version, consent.channel) == ("sensitive", "2026-01", "paper")
    page = client.get(response["Location"]).content.decode()
    assert CANARY not in page and "Signed form" in page


def test_create_person_sensitive_without_consent_or_half_consent(client, sales):
    client.force_login(sales)
    base = {"name": "吴敏", "status": "active", "owner": str(sales.pk), "profile-beliefs": CANARY}
    response = client.post(reverse("web:person-create"), base)
    assert response.status_code == 200
    assert response.context["forms"].profile.errors["beliefs"]
    assert CANARY in response.content.decode()  # what the user just typed, not a stored value
    response = client.post(reverse("web:person-create"), {**base, "consent-purposes": ["sensitive"]})
    assert response.context["forms"].consent.errors["notice_version"]
    assert not Customer.objects.filter(name="吴敏").exists()


def test_child_needs_guardian_on_create(client, sales):
    client.force_login(sales)
    birthday = (timezone.localdate() - datetime.timedelta(days=365 * 8)).isoformat()
    data = {"name": "小宝", "status": "active", "owner": str(sales.pk), "profile-birthday": birthday,
            "consent-purposes": ["service"], "consent-notice_version": "2026-01", "consent-channel": "paper"}
    response = client.post(reverse("web:person-create"), data)
    assert response.status_code == 200
    assert not Customer.objects.filter(name="小宝").exists()
    response = client.post(reverse("web:person-create"), {**data, "consent-guardian_name": "小宝妈妈"})
    assert response.status_code == 302
    assert Customer.objects.get(name="小宝").consents.get().guardian_name == "小宝妈妈"


# --- Consent on the customer page ------------------------------------------------------


def test_record_and_withdraw_consent(client, sales, customer):
    client.force_login(sales)
    url = reverse("web:consent-add", args=[customer.pk])
    data = {"consent-purpose": "marketing", "consent-notice_version": "v3", "consent-channel": "online",
            "consent-evidence": "web form 42", "consent-guardian_name": ""}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="consents"' in body and "Marketing" in body and "web form 42" in body and "<html" not in body
    consent = Consent.objects.get(customer=customer, purpose="marketing")
    response = client.post(reverse("web:consent-withdraw", args=[customer.pk, consent.pk]))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "withdrawn" in page
    # Withdrawing again is a message, not a 500.
    response = client.post(reverse("web:consent-withdraw", args=[customer.pk, consent.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "already withdrawn" in response.content.decode()


def test_bad_consent_is_field_errors_and_nothing_written(client, sales, customer):
    client.force_login(sales)
    response = client.post(reverse("web:consent-add", args=[customer.pk]),
                           {"consent-purpose": "nonsense", "consent-notice_version": "", "consent-channel": "paper"})
    assert response.status_code == 200
    assert not Consent.objects.filter(customer=customer).exists()
    body = response.content.decode()
    assert "This field is required." in body


def test_consent_access(client, analyst, outsider, customer, sales):
    consent = consent_record(actor=sales, customer=customer, data=ConsentData("marketing", "v1", "paper"))
    add = reverse("web:consent-add", args=[customer.pk])
    withdraw = reverse("web:consent-withdraw", args=[customer.pk, consent.pk])
    data = {"consent-purpose": "profiling", "consent-notice_version": "v1", "consent-channel": "paper"}
    assert client.post(add, data).status_code == 302 and "login" in client.post(add, data)["Location"]
    client.force_login(outsider)
    assert client.post(add, data).status_code == 404
    assert client.post(withdraw).status_code == 404
    client.force_login(analyst)
    assert client.post(add, data).status_code == 403
    assert client.post(withdraw).status_code == 403
    assert Consent.objects.filter(customer=customer).count() == 1


def test_other_customers_consent_is_404(client, sales, customer, pool_customer, manager):
    other = consent_record(actor=manager, customer=pool_customer, data=ConsentData("marketing", "v1", "paper"))
    client.force_login(sales)
    assert client.post(reverse("web:consent-withdraw", args=[customer.pk, other.pk])).status_code == 404


# --- Data-subject requests -------------------------------------------------------------


def test_open_list_and_close_access_request_with_downloads(client, manager, secret_customer):
    client.force_login(manager)
    response = client.post(reverse("web:request-open", args=[secret_customer.pk]),
                           {"dsr-kind": "access", "dsr-details": "letter of 1 May"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="requests"' in response.content.decode()
    row = DataSubjectRequest.objects.get()
    assert row.kind == "access" and row.customer_id == secret_customer.pk
    listing = client.get(reverse("web:privacy-requests")).content.decode()
    assert secret_customer.name in listing and row.due_on.isoformat() in listing
    for fmt in ("json", "html"):
        response = client.get(reverse("web:privacy-request-export", args=[row.pk, fmt]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        content = response.content.decode()
        assert CANARY in content  # the person's own copy is complete
        if fmt == "json":
            assert json.loads(content)["profile"]["beliefs"] == CANARY
    exports = AuditEvent.objects.filter(action="privacy.export", customer_id=secret_customer.pk)
    assert sorted(e.changes["format"] for e in exports) == ["html", "json"]
    response = client.post(reverse("web:privacy-request", args=[row.pk]), {"outcome": "copy sent by post"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "done" and row.outcome == "copy sent by post"


def test_overdue_requests_are_highlighted(client, admin, customer):
    row = request_open(actor=admin, customer=customer, kind="correction")
    DataSubjectRequest.objects.filter(pk=row.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(admin)
    page = client.get(reverse("web:privacy-requests")).content.decode()
    assert "overdue" in page and "1 request is overdue." in page


def test_closing_a_deletion_needs_confirmation_then_anonymises(client, admin, secret_customer):
    row = request_open(actor=admin, customer=secret_customer, kind="deletion")
    client.force_login(admin)
    url = reverse("web:privacy-request", args=[row.pk])
    page = client.get(url).content.decode()
    assert "anonymises" in page
    response = client.post(url, {"outcome": "done as asked"})
    assert response.status_code == 200 and response.context["form"].errors["confirm"]
    row.refresh_from_db()
    assert row.status == "open"
    assert Customer.objects.get(pk=secret_customer.pk).name == "周秘"
    response = client.post(url, {"outcome": "done as asked", "confirm": "on"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "done"
    assert Customer.objects.get(pk=secret_customer.pk).name != "周秘"
    # Closing twice is a message, not a 500.
    assert client.post(url, {"outcome": "again", "confirm": "on"}).status_code == 200


def test_rejecting_a_deletion_keeps_the_file(client, admin, customer):
    row = request_open(actor=admin, customer=customer, kind="deletion")
    client.force_login(admin)
    response = client.post(reverse("web:privacy-request", args=[row.pk]), {"outcome": "contract still running", "rejected": "on"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "rejected" and Customer.objects.get(pk=customer.pk).name == "张三"


def test_bad_request_input_is_a_field_error(client, manager, customer):
    client.force_login(manager)
    response = client.post(reverse("web:request-open", args=[customer.pk]), {"dsr-kind": "everything"})
    assert response.status_code == 200 and not DataSubjectRequest.objects.exists()
    row = request_open(actor=manager, customer=customer, kind="access")
    response = client.post(reverse("web:privacy-request", args=[row.pk]), {"outcome": "  "})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(reverse("web:privacy-request-export", args=[row.pk, "xml"])).status_code == 404


@pytest.mark.parametrize("persona", ["sales", "teammate", "analyst", "service_agent"])
def test_staff_and_analysts_cannot_handle_requests(request, client, persona, customer, manager):
    row = request_open(actor=manager, customer=customer, kind="access")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("web:privacy-requests")).status_code == 403
    assert client.get(reverse("web:privacy-request", args=[row.pk])).status_code == 403
    assert client.post(reverse("web:privacy-request", args=[row.pk]), {"outcome": "x"}).status_code == 403
    assert client.get(reverse("web:privacy-request-export", args=[row.pk, "json"])).status_code == 403
    status = client.post(reverse("web:request-open", args=[customer.pk]), {"dsr-kind": "access"}).status_code
    assert status in (403, 404)  # 404 when the file is not theirs to see
    assert DataSubjectRequest.objects.count() == 1
    assert not AuditEvent.objects.filter(action="privacy.export").exists()


def test_requests_anonymous_and_outsider(client, outsider, customer):
    for url in (reverse("web:privacy-requests"), reverse("web:privacy-request", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(outsider)
    assert client.post(reverse("web:request-open", args=[customer.pk]), {"dsr-kind": "access"}).status_code == 404
