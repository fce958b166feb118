"""The bulk writer encodes rows exactly as the per-row path does."""

import datetime

import pytest
from django.utils import timezone

from kehu.core.bulk import TableWriter
from kehu.sales.models import Order

pytestmark = pytest.mark.django_db


def test_encode_many_matches_encode_row_by_row_with_missing_columns():
    writer = TableWriter(Order, with_id=True)
    moment = datetime.datetime(2024, 5, 1, 8, 30, tzinfo=datetime.UTC)
    rows = [
        {"id": 1, "customer_id": 7, "number": "A-1", "ordered_at": moment, "channel": "store", "created_at": moment},
        {"id": 2, "customer_id": 7, "number": "A-2", "ordered_at": moment, "channel": "online", "notes": "加急",
         "created_at": moment},
    ]
    assert writer.encode_many(rows) == [writer.encode(row) for row in rows]
    notes = writer.columns.index("notes")
    assert [row[notes] for row in writer.encode_many(rows)] == ["", "加急"]


def test_callable_default_is_called_per_batch_not_once_per_writer():
    writer = TableWriter(Order, with_id=True)
    created = writer.columns.index("created_at")
    row = {"id": 1, "customer_id": 7, "number": "A-1", "ordered_at": timezone.now(), "channel": "store"}
    later = timezone.now() + datetime.timedelta(days=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Order._meta.get_field("created_at"), "_get_default", lambda: later)
        written = writer.encode_many([row])[0][created]
    assert str(later.year) in str(written) and written == writer.encode_many([{**row, "created_at": later}])[0][created]
