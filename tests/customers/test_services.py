"""Archive services: happy paths, each validation error (nothing written), permissions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.audit.models import AuditEvent
from kehu.customers.models import ContactPoint, Customer, PersonProfile, SearchTerm
from kehu.customers.services import (
    ContactPointData,
    custom_field_define,
    customer_create,
    customer_delete,
    customer_update,
    family_member_add,
    important_date_add,
    profile_update,
    relationship_add,
)
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db

VALID_USCC = "91350100M000100Y43"


def _counts():
    return (Customer.objects.count(), PersonProfile.objects.count(), ContactPoint.objects.count(),
            SearchTerm.objects.count(), AuditEvent.objects.count())


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


class TestCreate:
    def test_person_with_profile_contacts_and_tags(self, sales):
        customer = customer_create(
            actor=sales, kind="person", name="  王  小明 ",
            profile={"gender": "male", "birthday": "1990-05-01", "employer": "阿里巴巴"},
            contact_points=[ContactPointData("mobile", "+86 139-0013-9000"), ContactPointData("email", "WXM@Example.COM")],
            tags=["VIP", "VIP", "回头客"],
        )
        assert customer.name == "王 小明"
        assert customer.number.startswith("KH")
        assert customer.owner == sales and customer.team == sales.team
        assert customer.person.birthday == datetime.date(1990, 5, 1)
        assert set(customer.contact_points.values_list("value", flat=True)) == {"+8613900139000", "wxm@example.com"}
        assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "回头客"]
        assert 0 < customer.completeness < 100
        event = AuditEvent.objects.get(action="customer.create")
        assert event.actor == sales and event.customer_id == customer.pk

    def test_generated_numbers_are_unique_and_skip_imported_ones(self, sales):
        customer_create(actor=sales, kind="person", name="甲", number="KH00000001")
        second = customer_create(actor=sales, kind="person", name="乙")
        assert second.number == "KH00000002"

    def test_organization_with_credit_code(self, sales):
        org = make_organization(sales, profile={"credit_code": VALID_USCC.lower(), "phone": "0571-88888888"})
        assert org.organization.credit_code == VALID_USCC
        assert org.organization.phone == "+8657188888888"

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"name": "x" * 10_000}, "name"),
            ({"name": ""}, "name"),
            ({"status": "vip"}, "status"),
            ({"source_channel": "rumour"}, "source_channel"),
            ({"number": "has space"}, "number"),
            ({"profile": {"birthday": "2999-01-01"}}, "profile.birthday"),
            ({"profile": {"birthday": "not a date"}}, "profile.birthday"),
            ({"profile": {"gender": "robot"}}, "profile.gender"),
            ({"profile": {"height_cm": "tall"}}, "profile.height_cm"),
            ({"profile": {"favourite_colour": "red"}}, "profile.favourite_colour"),
            ({"contact_points": [ContactPointData("mobile", "12345")]}, "contact_points.0.value"),
            ({"contact_points": [ContactPointData("email", "not-an-email")]}, "contact_points.0.value"),
            ({"contact_points": [ContactPointData("fax", "123")]}, "contact_points.0.type"),
            ({"contact_points": [ContactPointData("mobile", "13800138000"), ContactPointData("mobile", "138 0013 8000")]},
             "contact_points.1.value"),
            ({"tags": ["t" * 51]}, "tags"),
            ({"custom_fields": {"nope": 1}}, "custom_fields.nope"),
        ],
    )
    def test_bad_input_is_a_field_error_and_writes_nothing(self, sales, kwargs, field):
        before = _counts()
        arguments = {"actor": sales, "kind": "person", "name": "张三", **kwargs}
        with pytest.raises(ValidationError) as excinfo:
            customer_create(**arguments)
        assert field in errors_of(excinfo), errors_of(excinfo)
        assert _counts() == before

    def test_invalid_credit_code(self, sales):
        before = _counts()
        with pytest.raises(ValidationError) as excinfo:
            make_organization(sales, profile={"credit_code": "91350100M000100Y44"})
        assert "check character" in errors_of(excinfo)["profile.credit_code"][0]
        assert _counts() == before

    def test_duplicate_number(self, sales, customer):
        before = _counts()
        with pytest.raises(ValidationError) as excinfo:
            make_person(sales, "另一个", number=customer.number)
        assert "number" in errors_of(excinfo)
        assert _counts() == before

    def test_unknown_kind(self, sales):
        with pytest.raises(ValidationError) as excinfo:
            customer_create(actor=sales, kind="robot", name="x")
        assert "kind" in errors_of(excinfo)

    def test_sales_cannot_give_a_customer_to_someone_else(self, sales, teammate):
        with pytest.raises(ValidationError) as excinfo:
            make_person(sales, owner=teammate)
        assert "owner" in errors_of(excinfo)

    def test_manager_can_assign_owner_and_pool(self, manager, sales):
        assert make_person(manager, owner=sales).owner == sales
        assert make_person(manager, "王五", owner=None, contact_points=[]).in_pool

    def test_analyst_cannot_write(self, analyst):
        with pytest.raises(PermissionDenied):
            make_person(analyst)


class TestUpdate:
    def test_update_fields_tags_and_audit_diff(self, sales, customer):
        customer_update(actor=sales, customer=customer, changes={"status": "dormant", "tags": ["A"]})
        customer.refresh_from_db()
        assert customer.status == "dormant"
        event = AuditEvent.objects.filter(action="customer.update").get()
        assert event.changes["status"] == ["active", "dormant"]

    def test_bad_update_changes_nothing(self, sales, customer):
        with pytest.raises(ValidationError):
            customer_update(actor=sales, customer=customer, changes={"name": "", "status": "nope"})
        customer.refresh_from_db()
        assert customer.name == "张三" and customer.status == "active"

    def test_outsider_cannot_update(self, outsider, customer):
        with pytest.raises(PermissionDenied):
            customer_update(actor=outsider, customer=customer, changes={"name": "hacked"})
        customer.refresh_from_db()
        assert customer.name == "张三"

    def test_claim_from_pool_follows_owner_team(self, outsider, pool_customer):
        customer_update(actor=outsider, customer=pool_customer, changes={"owner": outsider})
        pool_customer.refresh_from_db()
        assert pool_customer.owner == outsider and pool_customer.team == outsider.team

    def test_rename_updates_search(self, sales, customer):
        customer_update(actor=sales, customer=customer, changes={"name": "赵六"})
        terms = set(SearchTerm.objects.filter(customer=customer).values_list("term", flat=True))
        assert "zl" in terms and "zs" not in terms

    def test_profile_update_partial(self, sales, customer):
        profile_update(actor=sales, customer=customer, values={"hobbies": "钓鱼", "marital_status": "married"})
        customer.refresh_from_db()
        assert customer.person.hobbies == "钓鱼"
        with pytest.raises(ValidationError) as excinfo:
            profile_update(actor=sales, customer=customer, values={"birthday": "2999-01-01", "hobbies": "x"})
        assert "profile.birthday" in errors_of(excinfo)
        customer.person.refresh_from_db()
        assert customer.person.hobbies == "钓鱼"


class TestLinks:
    def test_family_member_and_lunar_date(self, sales, customer):
        family_member_add(actor=sales, customer=customer, values={"relation": "child", "name": "张小宝", "birthday": "2015-06-01"})
        important_date_add(actor=sales, customer=customer, values={"kind": "birthday", "calendar": "lunar", "month": 8, "day": 15})
        assert customer.family_members.count() == 1
        assert customer.important_dates.get().calendar == "lunar"

    @pytest.mark.parametrize(
        "values",
        [
            {"kind": "birthday", "calendar": "solar", "month": 2, "day": 30},
            {"kind": "birthday", "calendar": "lunar", "month": 13, "day": 1},
            {"kind": "birthday", "calendar": "solar", "month": 1, "day": 1, "leap_month": True},
            {"kind": "holiday", "month": 1, "day": 1},
        ],
    )
    def test_bad_dates(self, sales, customer, values):
        with pytest.raises(ValidationError):
            important_date_add(actor=sales, customer=customer, values=values)
        assert not customer.important_dates.exists()

    def test_family_member_birthday_in_future(self, sales, customer):
        with pytest.raises(ValidationError) as excinfo:
            family_member_add(actor=sales, customer=customer, values={"relation": "child", "name": "x", "birthday": "2999-01-01"})
        assert "birthday" in errors_of(excinfo)

    def test_key_person_of_organization(self, sales, customer):
        org = make_organization(sales)
        link = relationship_add(actor=sales, from_customer=customer, to_customer=org, type="key_person_of", role="legal_representative")
        assert link.pk

    def test_key_person_must_be_person_to_org(self, sales, customer):
        other = make_person(sales, "李雷", contact_points=[])
        with pytest.raises(ValidationError):
            relationship_add(actor=sales, from_customer=customer, to_customer=other, type="key_person_of")

    def test_cannot_link_to_invisible_customer(self, sales, outsider):
        theirs = make_person(outsider, "外人", contact_points=[])
        mine = make_person(sales, "自己", contact_points=[])
        with pytest.raises(ValidationError) as excinfo:
            relationship_add(actor=sales, from_customer=mine, to_customer=theirs, type="friend")
        assert "to_customer" in errors_of(excinfo)

    def test_cannot_link_to_self(self, sales, customer):
        with pytest.raises(ValidationError):
            relationship_add(actor=sales, from_customer=customer, to_customer=customer, type="friend")


class TestCustomFields:
    def test_define_and_validate(self, manager, sales):
        custom_field_define(actor=manager, values={"key": "level", "label": "会员等级", "field_type": "choice", "choices": ["金", "银"]})
        custom_field_define(actor=manager, values={"key": "visits", "label": "到店次数", "field_type": "number"})
        customer = make_person(sales, custom_fields={"level": "金", "visits": "3"})
        assert customer.custom_fields == {"level": "金", "visits": 3}
        with pytest.raises(ValidationError) as excinfo:
            make_person(sales, "李四", custom_fields={"level": "铜", "visits": "many"})
        assert set(errors_of(excinfo)) == {"custom_fields.level", "custom_fields.visits"}

    def test_required_field(self, manager, sales):
        custom_field_define(actor=manager, values={"key": "vip_no", "label": "VIP", "field_type": "text", "required": True, "applies_to": "person"})
        with pytest.raises(ValidationError):
            make_person(sales)
        make_organization(sales)  # does not apply to organisations

    def test_bad_definitions(self, manager):
        for values in (
            {"key": "Bad Key", "label": "x", "field_type": "text"},
            {"key": "c", "label": "x", "field_type": "choice", "choices": []},
            {"key": "d", "label": "x", "field_type": "colour"},
        ):
            with pytest.raises(ValidationError):
                custom_field_define(actor=manager, values=values)

    def test_sales_cannot_define(self, sales):
        with pytest.raises(PermissionDenied):
            custom_field_define(actor=sales, values={"key": "a", "label": "a", "field_type": "text"})


class TestDelete:
    def test_manager_deletes_sales_cannot(self, manager, sales, customer):
        with pytest.raises(PermissionDenied):
            customer_delete(actor=sales, customer=customer)
        pk = customer.pk
        customer_delete(actor=manager, customer=customer)
        assert not Customer.objects.filter(pk=pk).exists()
        assert not SearchTerm.objects.filter(customer_id=pk).exists()
        assert AuditEvent.objects.filter(action="customer.delete", customer_id=pk).exists()


def test_duplicate_contact_point_is_a_field_error(sales, customer):
    from kehu.customers.services import contact_point_add

    with pytest.raises(ValidationError) as excinfo:
        contact_point_add(actor=sales, customer=customer, values={"type": "mobile", "value": "138 0013 8000"})
    assert excinfo.value.message_dict == {"value": ["This customer already has this contact point."]}
    assert customer.contact_points.count() == 1


def test_long_text_fields_are_bounded(sales, customer):
    from kehu.customers.services import profile_update

    with pytest.raises(ValidationError) as excinfo:
        profile_update(actor=sales, customer=customer, values={"career_history": "x" * 4001})
    assert "profile.career_history" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        customer_update(actor=sales, customer=customer, changes={"notes": "x" * 10_001})
    assert "notes" in excinfo.value.message_dict


def test_blank_name_after_trimming_is_refused(sales, customer):
    with pytest.raises(ValidationError) as excinfo:
        customer_create(actor=sales, kind="person", name="   ")
    assert "name" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        customer_update(actor=sales, customer=customer, changes={"name": " \u3000 "})


def test_sales_cannot_file_a_customer_under_another_team(sales, south):
    with pytest.raises(ValidationError) as excinfo:
        make_person(sales, team=south)
    assert "team" in errors_of(excinfo)


def test_relationship_update_and_duplicate_message(sales, customer):
    from kehu.customers.services import relationship_update

    other = make_person(sales, "李雷", contact_points=[])
    link = relationship_add(actor=sales, from_customer=customer, to_customer=other, type="friend")
    with pytest.raises(ValidationError) as excinfo:
        relationship_add(actor=sales, from_customer=customer, to_customer=other, type="friend")
    assert errors_of(excinfo) == {"type": ["These two customers are already linked this way."]}
    relationship_update(actor=sales, link=link, values={"type": "colleague", "notes": "同事"})
    link.refresh_from_db()
    assert (link.type, link.notes) == ("colleague", "同事")
    with pytest.raises(ValidationError):
        relationship_update(actor=sales, link=link, values={"type": "key_person_of"})
    link.refresh_from_db()
    assert link.type == "colleague"
