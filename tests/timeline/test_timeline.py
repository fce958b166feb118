import datetime

import pytest
from django.utils import timezone

from kehu.interactions.models import Interaction
from kehu.sales.services import OrderLineData, order_create, payment_record
from kehu.service.services import service_record_create
from kehu.timeline.selectors import BadCursor, timeline_page

pytestmark = pytest.mark.django_db


def ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.fixture
def history(sales, customer):
    order_create(actor=sales, customer=customer, number="SO-1", ordered_at=ago(50), channel="store",
                 lines=[OrderLineData("茶叶", quantity=2, unit_price=100), OrderLineData("茶杯", quantity=1, unit_price=50)])
    payment_record(actor=sales, customer=customer, amount=100, received_at=ago(40), method="cash")
    service_record_create(actor=sales, customer=customer, values={"kind": "repair", "problem": "坏了", "reported_at": ago(30)})
    same_moment = ago(20)
    Interaction.objects.bulk_create(
        [Interaction(customer=customer, channel="phone", occurred_at=same_moment, content=f"call {i}") for i in range(5)]
        + [Interaction(customer=customer, channel="wechat", occurred_at=ago(10 - i), content=f"chat {i}") for i in range(5)]
    )
    return customer


def test_newest_first_across_kinds(history):
    entries = timeline_page(customer=history, limit=100).entries
    assert len(entries) == 13
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert [e.kind for e in entries[-3:]] == ["service", "payment", "order"]
    assert "茶叶×2" in entries[-1].summary


def test_cursor_pages_cover_everything_once_even_with_equal_times(history):
    seen, cursor = [], None
    while True:
        page = timeline_page(customer=history, limit=3, cursor=cursor)
        seen += [(e.kind, e.id) for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 13 == len(set(seen))


def test_filter_by_kind_and_date(history):
    orders = timeline_page(customer=history, kinds=["order", "payment"]).entries
    assert {e.kind for e in orders} == {"order", "payment"}
    recent = timeline_page(customer=history, since=ago(25)).entries
    assert {e.kind for e in recent} == {"interaction"}


@pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJ4IiwgIm9yZGVyIiwgMV0"])
def test_bad_cursor(history, cursor):
    with pytest.raises(BadCursor):
        timeline_page(customer=history, cursor=cursor)


def test_page_query_count_does_not_grow_with_history(history, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        timeline_page(customer=history, limit=30)


def test_cursor_must_be_one_kehu_made(history):
    import base64
    import json

    def cursor(parts) -> str:
        return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")

    for parts in (["2025-01-01T00:00:00", "order", 1], ["2025-01-01T00:00:00+00:00", "order", 2**70],
                  ["0001-01-01T00:00:00+00:00", "order", 1], ["2025-01-01T00:00:00+00:00", "order", True]):
        with pytest.raises(BadCursor):
            timeline_page(customer=history, cursor=cursor(parts))


def test_tier_changes_appear_on_the_timeline(history):
    from kehu.insights.models import TierChange

    TierChange.objects.create(customer=history, changed_at=ago(1), from_name="银牌", to_name="金牌",
                              cause=TierChange._meta.get_field("cause").choices[0][0], reason="累计消费达标")
    entries = timeline_page(customer=history, kinds=["tier_change"]).entries
    assert [(e.kind, e.title) for e in entries] == [("tier_change", "银牌 → 金牌")]
    assert "累计消费达标" in entries[0].summary
    assert timeline_page(customer=history, limit=1).entries[0].kind == "tier_change"
