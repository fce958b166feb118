"""Deletion requests: a canary written everywhere a customer's data goes is gone afterwards."""

import datetime
import io
import json
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kehu.audit.services import verify_chain
from kehu.customers.models import Customer, Relationship
from kehu.customers.selectors import CustomerFilters, customer_list
from kehu.customers.services import (
    ContactPointData,
    customer_update,
    family_member_add,
    important_date_add,
    relationship_add,
)
from kehu.insights.services import tier_override_set, tiers_define
from kehu.interactions.services import interaction_log
from kehu.privacy.export import subject_html, subject_json
from kehu.privacy.models import DataSubjectRequest
from kehu.privacy.services import apply_retention, request_close, request_open
from kehu.quality.importing.engine import ImportOptions, run_import
from kehu.quality.models import ImportRun
from kehu.sales.models import ConsumptionProfile, Order
from kehu.sales.services import (
    OrderLineData,
    credit_incident_record,
    order_create,
    payment_record,
    receivable_create,
)
from kehu.service.services import service_record_create
from tests.conftest import SENSITIVE_CONSENT, make_organization, make_person
from tests.insights_fixtures import GOLD

pytestmark = pytest.mark.django_db
CANARY = "Qz7canary"


def every_value_in_the_database() -> list[tuple[str, str]]:
    """(table, value as text) for every non-null value of every table, read raw."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            values.extend(
                (table, str(value)) for row in cursor.fetchall() for value in row if value is not None
            )
    return values


def everything_in_the_database() -> str:
    return "\n".join(value for _, value in every_value_in_the_database())


def tables_holding(text: str) -> set[str]:
    """The tables where `text` still appears: a failing assertion names them."""
    return {table for table, value in every_value_in_the_database() if text in value}


@pytest.fixture
def canary_customer(sales, manager):
    friend = make_person(sales, "李雷", contact_points=[])
    customer = make_person(
        sales,
        f"王{CANARY}",
        contact_points=[
            ContactPointData("mobile", "13711112222"),
            ContactPointData("email", f"{CANARY}@example.com"),
            ContactPointData("wechat", f"wx{CANARY}"),
        ],
        profile={"hobbies": f"钓鱼 {CANARY}", "health_notes": f"{CANARY} 过敏", "employer": f"{CANARY}公司"},
        consents=[SENSITIVE_CONSENT],
        tags=[f"tag{CANARY}"],
    )
    customer_update(actor=sales, customer=customer, changes={"notes": f"note {CANARY}"})
    family_member_add(
        actor=sales,
        customer=customer,
        values={
            "relation": "child",
            "name": f"小{CANARY}",
            "school_or_employer": f"{CANARY}小学",
            "notes": f"爱画画 {CANARY}",
        },
    )
    important_date_add(
        actor=sales,
        customer=customer,
        values={"kind": "custom", "label": CANARY, "month": 3, "day": 8, "notes": f"送花 {CANARY}"},
    )
    relationship_add(actor=sales, from_customer=friend, to_customer=customer, type="friend", notes=CANARY)
    interaction_log(
        actor=sales,
        customer=customer,
        values={
            "channel": "phone",
            "subject": f"回访 {CANARY}",
            "content": f"通话 {CANARY}",
            "customer_needs": f"想要 {CANARY}",
            "next_step": f"下周 {CANARY}",
        },
    )
    service_record_create(
        actor=sales,
        customer=customer,
        values={
            "kind": "repair",
            "problem": f"坏了 {CANARY}",
            "diagnosis": f"诊断 {CANARY}",
            "result": f"修好 {CANARY}",
        },
    )
    now = timezone.now()
    order_create(
        actor=sales,
        customer=customer,
        number="SO-1",
        channel="store",
        notes=f"送货到 {CANARY}",
        ordered_at=now - datetime.timedelta(days=2),
        lines=[OrderLineData("茶叶", quantity=1, unit_price=100, category="茶")],
    )
    receivable_create(
        actor=sales,
        customer=customer,
        number="AR-1",
        amount=50,
        issued_on=now.date(),
        due_on=now.date(),
        description=f"赊账 {CANARY}",
    )
    payment_record(
        actor=sales, customer=customer, amount=20, received_at=now, method="cash", reference=f"收据 {CANARY}"
    )
    credit_incident_record(
        actor=sales, customer=customer, occurred_on=now.date(), description=f"拖欠 {CANARY}"
    )
    (gold,) = tiers_define(actor=manager, tiers=[GOLD])
    tier_override_set(actor=manager, customer=customer, tier=gold, reason=f"老板的朋友 {CANARY}")
    # An old communications import quoted the person's name in a rejected cell (subject too long).
    import_communications(
        sales,
        [
            [customer.number, "2024-03-01 10:00", "phone", f"回电给王{CANARY}，" + "长" * 200],
            [customer.number, "31/31/2024", "phone", "unrelated"],
        ],
    )
    assert CANARY in everything_in_the_database()
    return customer


def import_communications(actor, rows) -> ImportRun:
    text = "customer_code,occurred_at,channel,subject\n" + "".join(",".join(row) + "\n" for row in rows)
    run_import(
        actor=actor,
        kind="interactions",
        handle=io.BytesIO(text.encode()),
        file_name="calls.csv",
        options=ImportOptions(skip_bad_rows=True),
    )
    return ImportRun.objects.latest("started_at")


def test_deletion_request_erases_identity_and_keeps_aggregates(manager, canary_customer, caplog):
    caplog.set_level(logging.DEBUG)
    request = request_open(actor=manager, customer=canary_customer, kind="deletion", details="电话要求删除")
    request_close(actor=manager, request=request, outcome="已匿名化")

    assert tables_holding(CANARY) == set()
    assert CANARY not in caplog.text
    customer = Customer.objects.get(pk=canary_customer.pk)
    assert CANARY not in subject_json(customer) and CANARY not in subject_html(customer)
    assert not customer_list(viewer=manager, filters=CustomerFilters(query=CANARY)).exists()
    assert not customer_list(viewer=manager, filters=CustomerFilters(query="13711112222")).exists()
    # The business keeps its figures.
    assert Order.objects.filter(customer=customer).count() == 1
    assert ConsumptionProfile.objects.get(customer=customer).total_spend == 100
    assert not Relationship.objects.filter(to_customer=customer).exists()
    assert verify_chain().ok
    assert DataSubjectRequest.objects.get().status == "done"
    # The import's unrelated error is still there for whoever fixes the file.
    assert [e[:2] for e in ImportRun.objects.get().errors] == [[2, "subject"], [3, "occurred_at"]]
    assert ImportRun.objects.get().errors[1][2] == "31/31/2024"


def test_access_request_export_is_complete(manager, canary_customer):
    data = json.loads(subject_json(canary_customer))
    assert data["profile"]["health_notes"] == f"{CANARY} 过敏"  # their own data, decrypted
    assert {c["value"] for c in data["contact_points"]} >= {"+8613711112222", f"{CANARY.lower()}@example.com"}
    assert data["orders"][0]["lines"][0]["product_name"] == "茶叶"
    assert data["communications"][0]["content"] == f"通话 {CANARY}"
    assert any(e["action"] == "customer.create" for e in data["audit_log"])
    assert CANARY in subject_html(canary_customer)


def test_requests_need_a_privacy_role_and_an_outcome(sales, manager, canary_customer):
    with pytest.raises(PermissionDenied):
        request_open(actor=sales, customer=canary_customer, kind="access")
    request = request_open(actor=manager, customer=canary_customer, kind="access")
    assert request.due_on == timezone.localdate() + datetime.timedelta(days=15)
    with pytest.raises(ValidationError):
        request_close(actor=manager, request=request, outcome=" ")
    with pytest.raises(ValidationError):
        request_open(actor=manager, customer=canary_customer, kind="forget-me")


def test_retention_anonymises_expired_files(manager, canary_customer, settings, capsys):
    settings.KEHU_RETAIN_INACTIVE_DAYS = 30
    customer_update(actor=manager, customer=canary_customer, changes={"status": "lost"})
    assert apply_retention()["anonymised"] == 0  # recent activity
    later = timezone.now() + datetime.timedelta(days=40)
    assert apply_retention(now=later)["anonymised"] == 1
    assert CANARY not in everything_in_the_database()
    call_command("daily")
    assert "Overdue data-subject requests: 0" in capsys.readouterr().out


def test_retention_blanks_old_import_error_cells(sales, canary_customer, settings):
    run = ImportRun.objects.get()
    assert apply_retention()["import_errors_blanked"] == 0  # still being fixed
    later = timezone.now() + datetime.timedelta(days=settings.KEHU_RETAIN_IMPORT_ERRORS_DAYS + 1)
    assert apply_retention(now=later)["import_errors_blanked"] == 1
    run.refresh_from_db()
    assert run.errors == [[2, "subject", "", ""], [3, "occurred_at", "", ""]] and run.failed == 2
    settings.KEHU_RETAIN_IMPORT_ERRORS_DAYS = 0  # keep forever
    assert apply_retention(now=later)["import_errors_blanked"] == 0


def test_subject_export_service_is_for_managers_and_audited(sales, manager, canary_customer):
    from kehu.audit.models import AuditEvent
    from kehu.privacy.export import subject_export

    with pytest.raises(PermissionDenied):
        subject_export(actor=sales, customer=canary_customer, fmt="json")
    with pytest.raises(ValidationError):
        subject_export(actor=manager, customer=canary_customer, fmt="pdf")
    assert CANARY in subject_export(actor=manager, customer=canary_customer, fmt="html")
    assert AuditEvent.objects.filter(action="privacy.export", customer_id=canary_customer.pk).count() == 1


def test_open_requests_come_first(manager, canary_customer):
    first = request_open(actor=manager, customer=canary_customer, kind="access")
    request_close(actor=manager, request=first, outcome="已提供副本")
    second = request_open(actor=manager, customer=canary_customer, kind="correction")
    assert list(DataSubjectRequest.objects.all()) == [second, first]


def test_an_organisation_is_erased_as_thoroughly_as_a_person(sales, manager):
    """A sole trader's company file holds the owner's name and phone; it can be erased too."""
    organisation = make_organization(
        sales,
        f"{CANARY}商贸",
        contact_points=[ContactPointData("email", f"boss{CANARY}@example.com")],
        profile={
            "legal_name": f"杭州{CANARY}商贸有限公司",
            "address": f"{CANARY}路 1 号",
            "phone": "057188881234",
            "problems": f"老板 {CANARY} 身体不好",
            "credit_incidents": f"{CANARY} 曾拖欠",
            "payment_terms": f"找 {CANARY} 对账",
        },
        notes=f"老板叫{CANARY}",
    )
    employee = make_person(sales, "员工甲", contact_points=[])
    relationship_add(
        actor=sales, from_customer=employee, to_customer=organisation, type="key_person_of", notes=CANARY
    )
    interaction_log(
        actor=sales,
        customer=organisation,
        values={"channel": "visit", "content": f"拜访 {CANARY}"},
    )
    assert CANARY in everything_in_the_database()

    request = request_open(actor=manager, customer=organisation, kind="deletion", details="注销")
    request_close(actor=manager, request=request, outcome="已匿名化")

    assert tables_holding(CANARY) == set()
    assert Customer.objects.get(pk=employee.pk).name == "员工甲"  # the other file stays
    assert verify_chain().ok
