"""Backup and restore round trip, on whichever database the suite runs against."""

import json

import pytest
from django.core.management import CommandError, call_command

from kehu.customers.models import Customer, PersonProfile
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_verify_and_restore(sales, tmp_path, capsys):
    make_person(sales, profile={"health_notes": "备份测试"}, consents=[SENSITIVE_CONSENT])
    folder = tmp_path / "b1"
    call_command("backup", "--to", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["customers_customer"] == 1 and (folder / "keys.json").exists()
    make_person(sales, "后来的人", contact_points=[])
    assert Customer.objects.count() == 2
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(folder))
    call_command("restore", str(folder), "--yes")
    assert Customer.objects.count() == 1
    assert PersonProfile.objects.get().health_notes == "备份测试"


def test_damaged_backup_is_refused(sales, tmp_path):
    make_person(sales)
    folder = tmp_path / "b2"
    call_command("backup", "--to", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["counts"]["customers_customer"] = 99
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError):
        call_command("restore", str(folder), "--yes")
    with pytest.raises(CommandError, match="not a kehu backup"):
        call_command("restore", str(tmp_path))


def test_table_writer_writes_what_the_orm_writes(sales):
    """The fast writer's datetime and decimal forms read back identically through the ORM."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from kehu.core.bulk import TableWriter
    from kehu.sales.models import CreditIncident

    customer = make_person(sales)
    moment = timezone.now().replace(microsecond=123456)
    writer = TableWriter(CreditIncident)
    writer.insert_dicts([{"customer_id": customer.pk, "occurred_on": datetime.date(2025, 1, 2), "description": "x",
                          "amount": Decimal("12.30"), "recorded_by_id": sales.pk}])
    from kehu.sales.models import Order

    TableWriter(Order).insert_dicts([{"customer_id": customer.pk, "number": "T-1", "ordered_at": moment, "channel": "store",
                                      "total": Decimal("1.00"), "created_at": moment}])
    incident = CreditIncident.objects.get()
    order = Order.objects.get(number="T-1")
    assert (incident.amount, incident.occurred_on) == (Decimal("12.30"), datetime.date(2025, 1, 2))
    assert order.ordered_at == moment and Order.objects.filter(ordered_at__lte=moment, ordered_at__gte=moment).exists()
