from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.accounts.models import User
from kehu.customers.models import Customer

# quickstart runs `migrate`, which cannot run inside the per-test transaction on SQLite.
pytestmark = pytest.mark.django_db(transaction=True)


def _quickstart(*args: str) -> str:
    out = StringIO()
    call_command("quickstart", "--no-serve", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_quickstart_is_idempotent():
    first = _quickstart("--customers", "8")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role == "administrator"
    password = next(line.split()[-1] for line in first.splitlines() if "password:" in line)
    assert admin.check_password(password)
    assert Customer.objects.count() == 8

    second = _quickstart("--customers", "8")
    assert "exists already" in second
    assert "no demo data added" in second
    assert "password:" not in second
    assert User.objects.filter(username="admin").count() == 1
    admin.refresh_from_db()
    assert admin.check_password(password)
    assert Customer.objects.count() == 8


def test_quickstart_without_demo_data():
    _quickstart("--customers", "0")
    assert not Customer.objects.exists()
    assert User.objects.filter(username="admin").exists()


def test_quickstart_rejects_a_bad_port_before_doing_anything():
    with pytest.raises(CommandError, match="port must be from 1 to 65535"):
        call_command("quickstart", "--no-serve", "--port", "0")
    assert not User.objects.filter(username="admin").exists()
