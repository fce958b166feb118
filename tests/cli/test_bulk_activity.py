import datetime
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from kehu.accounts.models import Role
from kehu.cli import bulk, bulk_activity
from kehu.core.bulk import TableWriter, datetime_texts
from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.sales import stats
from kehu.sales.models import ConsumptionProfile, Order, OrderLine
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    manager = make_user("manager", Role.ARCHIVE_MANAGER)
    bulk.load(count=40, seed=3, owners=[bulk.Owner(manager.pk, None), bulk.Owner(None, None)], batch_size=40)
    return manager


def test_datetime_texts_round_trip_through_the_orm():
    customer = Customer.objects.create(kind="person", name="甲", number="T1")
    moments = np.array([0.0, 1_700_000_000.123456, 1_750_000_000.5])
    writer = TableWriter(Interaction)
    texts = datetime_texts(moments)
    writer.insert(writer.rows_from_columns(
        {"customer_id": customer.pk, "channel": "phone", "occurred_at": texts, "created_at": texts,
         "updated_at": texts, "import_key": ["a", "b", "c"]}, 3,
    ))
    stored = sorted(Interaction.objects.values_list("occurred_at", flat=True))
    expected = [datetime.datetime.fromtimestamp(m, tz=datetime.UTC) for m in moments]
    assert [abs((s - e).total_seconds()) < 1e-5 for s, e in zip(stored, expected, strict=True)] == [True] * 3


def test_rows_from_columns_refuses_an_unknown_column():
    with pytest.raises(ValueError, match="no columns"):
        TableWriter(Interaction).rows_from_columns({"nonsense": 1}, 1)


def test_every_customer_gets_consistent_orders_lines_and_profiles(archive):
    result = bulk_activity.load(mean_orders=6, mean_interactions=3, seed=1, batch_customers=15)
    assert result.customers == 40
    assert result.orders == Order.objects.count() > 40
    assert result.order_lines == OrderLine.objects.count() >= result.orders
    assert result.interactions == Interaction.objects.count()
    assert Order.objects.values("customer").distinct().count() == 40
    # An order's total is the sum of its lines; a refunded order is refunded in full.
    for order in Order.objects.annotate(lines_total=Sum("lines__line_total"), line_count=Count("lines")):
        assert order.total == order.lines_total and order.line_count in (1, 2)
        assert order.refunded_amount == (order.total if order.status == "refunded" else Decimal(0))
        local = timezone.localtime(order.ordered_at)
        assert (order.local_weekday, order.local_hour, order.local_month) == (local.isoweekday(), local.hour, local.month)
        assert order.salesperson_id == order.customer.owner_id
    # The stored consumption profiles are what kehu recomputes from the rows.
    ids = list(Customer.objects.values_list("pk", flat=True))
    fresh = stats.compute_profiles(ids)
    for profile in ConsumptionProfile.objects.filter(customer_id__in=ids):
        assert stats.drift(profile, fresh[profile.customer_id]) == {}
    assert ConsumptionProfile.objects.filter(order_count__gt=0).count() > 30


def test_an_interrupted_load_resumes_without_duplicates(archive):
    first = bulk_activity.load(mean_orders=4, mean_interactions=1, seed=2, batch_customers=10, limit=25)
    assert first.customers == 25
    second = bulk_activity.load(mean_orders=4, mean_interactions=1, seed=2, batch_customers=10)
    assert second.customers == 15
    assert Order.objects.values("customer").distinct().count() == 40
    assert bulk_activity.load(mean_orders=4, mean_interactions=1, seed=2).customers == 0


def test_one_customer_with_a_long_history(archive):
    customer = Customer.objects.order_by("pk").first()
    result = bulk_activity.load_heavy(customer_id=customer.pk, orders=300, interactions=200, seed=1)
    assert (result.orders, result.interactions) == (300, 200)
    assert customer.orders.count() == 300 and customer.interactions.count() == 200
    assert ConsumptionProfile.objects.get(customer=customer).order_count == customer.orders.exclude(
        status__in=["refunded", "cancelled"]
    ).count()
