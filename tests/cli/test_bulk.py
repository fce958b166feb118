import datetime
import random

import pytest
from django.forms.models import model_to_dict

from kehu.accounts.models import Role
from kehu.cli import bulk
from kehu.cli.synth import companies, contacts, names, specs
from kehu.core.phone import normalize_phone
from kehu.core.text import compact
from kehu.core.uscc import normalize_uscc
from kehu.customers.models import Customer, OrganizationProfile, SearchTerm
from kehu.customers.services import ContactPointData, customer_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _terms(customer: Customer) -> set[str]:
    own_number = compact(customer.number)
    return set(SearchTerm.objects.filter(customer=customer).values_list("term", flat=True)) - {own_number}


def _recreate_through_services(actor, customer: Customer) -> Customer:
    """The same customer file, written by `customer_create` as the UI or API would."""
    profile_row = customer.person if customer.is_person else customer.organization
    profile = {k: v for k, v in model_to_dict(profile_row, exclude=["customer"]).items() if v not in ("", None)}
    points = [
        ContactPointData(p.type, p.value, preferred=p.preferred) for p in customer.contact_points.order_by("id")
    ]
    if not customer.is_person:
        # Credit codes are unique: hand the code over to the copy.
        OrganizationProfile.objects.filter(pk=customer.pk).update(credit_code=None)
    return customer_create(
        actor=actor, kind=customer.kind, name=customer.name, status=customer.status, owner=None, team=None,
        source_channel=customer.source_channel, tags=list(customer.tags.values_list("name", flat=True)),
        profile=profile, contact_points=points,
    )


def test_bulk_rows_match_what_the_services_write():
    manager = make_user("manager", Role.ARCHIVE_MANAGER)
    result = bulk.load(count=60, seed=5, owners=[bulk.Owner(manager.pk, None)], batch_size=25)
    assert result.customers == 60 == Customer.objects.count()
    loaded = list(Customer.objects.select_related("person", "organization").order_by("id"))
    assert {c.kind for c in loaded} == {"person", "organization"}
    for customer in loaded:
        copy = _recreate_through_services(manager, customer)
        assert _terms(customer) == _terms(copy), customer.name
        assert customer.completeness == copy.completeness, customer.name
        assert customer.completeness_by_section == copy.completeness_by_section, customer.name


def test_bulk_load_is_deterministic_and_continues_numbering():
    bulk.load(count=30, seed=9, owners=[])
    first = list(Customer.objects.order_by("id").values_list("name", "kind"))
    Customer.objects.all().delete()
    bulk.load(count=30, seed=9, owners=[])
    assert list(Customer.objects.order_by("id").values_list("name", "kind")) == first
    numbers = list(Customer.objects.order_by("id").values_list("number", flat=True))
    assert numbers[0] == "KH00000031" and len(set(numbers)) == 30
    manager = make_user("manager", Role.ARCHIVE_MANAGER)
    later = customer_create(actor=manager, kind="person", name="新客户")
    assert later.number == "KH00000061"
    assert later.pk > max(Customer.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_synthetic_values_pass_kehu_validation():
    rng = random.Random(1)
    today = datetime.date(2026, 1, 1)
    for serial in range(200):
        assert normalize_phone(contacts.mobile(rng)).startswith("+861")
        normalize_phone(contacts.landline(rng))
        code = companies.credit_code(rng.choice(companies.REGION_CODES), serial)
        assert normalize_uscc(code) == code
        assert 2 <= len(names.person_name(rng, "female")) <= 4
        spec = specs.organization(rng, serial=serial, today=today)
        assert spec.profile["credit_code"].startswith("91")
    codes = {companies.credit_code("330106", serial) for serial in range(5000)}
    assert len(codes) == 5000
