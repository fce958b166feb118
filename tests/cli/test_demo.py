import pytest
from django.core.management import call_command

from kehu.accounts.models import Role, User
from kehu.core.phone import normalize_phone
from kehu.core.uscc import normalize_uscc
from kehu.customers.models import (
    ContactPoint,
    Customer,
    FamilyMember,
    ImportantDate,
    OrganizationProfile,
    Relationship,
)

pytestmark = pytest.mark.django_db


def _archive() -> list[tuple]:
    """What identifies the demo data, independent of ids and numbers."""
    return [
        (c.kind, c.name, tuple(sorted(c.contact_points.values_list("type", "value"))))
        for c in Customer.objects.prefetch_related("contact_points").order_by("id")
    ]


def _run_demo(count: int, seed: int) -> str:
    from io import StringIO

    out = StringIO()
    call_command("demo", customers=count, seed=seed, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_creates_the_requested_number_of_customers_deterministically():
    _run_demo(40, seed=11)
    first = _archive()
    assert len(first) == Customer.objects.count() == 40
    Customer.objects.all().delete()
    _run_demo(40, seed=11)
    assert _archive() == first
    Customer.objects.all().delete()
    _run_demo(40, seed=12)
    assert _archive() != first


def test_demo_data_is_valid_and_rich():
    _run_demo(60, seed=3)
    phones = ContactPoint.objects.filter(type__in=("mobile", "phone")).values_list("value", flat=True)
    assert phones and all(normalize_phone(value) == value for value in phones)
    codes = list(OrganizationProfile.objects.values_list("credit_code", flat=True))
    assert codes and all(normalize_uscc(code) == code for code in codes)
    assert Relationship.objects.filter(type="key_person_of").exclude(role="").exists()
    assert FamilyMember.objects.filter(birthday__isnull=False).exists()
    assert ImportantDate.objects.filter(calendar="lunar").exists()
    assert Customer.objects.filter(owner__isnull=True).exists(), "some customers are in the pool"
    assert Customer.objects.filter(owner__isnull=False).values("team").distinct().count() == 2
    assert all(c.completeness > 0 for c in Customer.objects.all())


def test_demo_staff_are_created_once_with_printed_passwords():
    output = _run_demo(3, seed=1)
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["manager"] == Role.ARCHIVE_MANAGER
    assert roles["analyst"] == Role.ANALYST
    assert roles["service"] == Role.SERVICE
    assert {u.team.name for u in User.objects.filter(role=Role.SALES)} == {"华东销售组", "华南销售组"}
    manager = User.objects.get(username="manager")
    printed = next(line.split()[-1] for line in output.splitlines() if line.startswith("manager "))
    assert manager.check_password(printed)

    again = _run_demo(3, seed=2)
    assert "password unchanged" in again
    manager.refresh_from_db()
    assert manager.check_password(printed)
    assert User.objects.filter(username="manager").count() == 1
    assert Customer.objects.count() == 6


def test_bulk_demo_spreads_customers_over_demo_sales_and_the_pool():
    from io import StringIO

    call_command("demo", "--bulk", customers=50, seed=4, stdout=StringIO(), stderr=StringIO())
    assert Customer.objects.count() == 50
    owners = set(Customer.objects.exclude(owner=None).values_list("owner__username", flat=True))
    assert owners and owners <= {"sales.east1", "sales.east2", "sales.south1", "sales.south2"}
    assert Customer.objects.filter(owner=None, team=None).exists()


def test_demo_has_purchase_history_and_a_scored_dashboard():
    from kehu.insights.dashboard import dashboard_of, run_for
    from kehu.sales.models import Order

    _run_demo(40, seed=5)
    buyers = Customer.objects.filter(orders__isnull=False).distinct().count()
    assert 25 <= buyers < 40 and Order.objects.count() > buyers
    manager = User.objects.get(username="manager")
    dashboard = dashboard_of(viewer=manager, run=run_for(None))
    assert dashboard.customers == 40 and dashboard.buyers == buyers and dashboard.revenue > 0
    assert [t.name for t in dashboard.tiers if t.customers] and dashboard.rfm_grid_max > 0
