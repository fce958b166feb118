"""Segments: conditions checked and evaluated, members within visibility and consent, exports audited."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.customers.models import Consent, Customer
from kehu.customers.services import ContactPointData
from kehu.customers.services.consent import ConsentData, consent_withdraw
from kehu.insights.models import CustomerScore, ScoringRun, ScoringRunStatus, Tier
from kehu.segments import conditions as vocabulary
from kehu.segments.models import Segment
from kehu.segments.selectors import members
from kehu.segments.services import segment_create, segment_delete, segment_update
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db
MARKETING = ConsentData("marketing", "notice-2026-01", "online")


@pytest.fixture
def archive(sales, outsider):
    gold = Tier.objects.create(name="金牌", position=1, conditions=[])
    silver = Tier.objects.create(name="银牌", position=2, conditions=[])
    run = ScoringRun.objects.create(as_of=datetime.date(2026, 11, 30), status=ScoringRunStatus.DONE)
    people = {
        "wang": make_person(sales, "王芳", consents=[MARKETING], tags=["VIP"]),
        "li": make_person(sales, "李雷", consents=[MARKETING]),
        "zhao": make_person(sales, "赵敏"),  # no marketing consent
        "far": make_person(outsider, "钱多多", consents=[MARKETING], tags=["VIP"]),  # another team's
        "org": make_organization(sales, "杭州云帆科技有限公司", consents=[MARKETING],
                                 profile={"address": "杭州市西湖区文三路 90 号"}),
    }
    scores = {"wang": (gold, "champions", "8000.00", 0.9), "li": (silver, "at_risk", "900.00", 0.3),
              "zhao": (gold, "champions", "7000.00", 0.8), "far": (gold, "champions", "9000.00", 0.95)}
    for key, (tier, segment, clv, alive) in scores.items():
        CustomerScore.objects.create(customer=people[key], as_of=run.as_of, run=run, tier=tier, rfm_segment=segment,
                                     clv=Decimal(clv), p_alive=alive)
    return people


def names(viewer, segment, purpose="marketing"):
    return sorted(members(viewer=viewer, segment=segment, purpose=purpose).values_list("name", flat=True))


def define(actor, *conditions, name="高价值"):
    return segment_create(actor=actor, values={"name": name, "conditions": [
        {"field": f, "op": o, "value": v} for f, o, v in conditions]})


def test_conditions_combine_and_respect_visibility_and_marketing_consent(sales, outsider, manager, archive):
    gold_champions = define(sales, ("tier", "is", "金牌"), ("rfm_segment", "is", "champions"))
    assert names(sales, gold_champions) == ["王芳"]  # 赵敏 lacks marketing consent, 钱多多 is another team's
    assert names(sales, gold_champions, purpose="service") == ["王芳", "赵敏"]
    assert names(manager, gold_champions) == ["王芳", "钱多多"]
    assert names(outsider, gold_champions) == ["钱多多"]


@pytest.mark.parametrize(("conditions", "expected"), [
    ((("clv", "at_least", "5000"),), ["王芳"]),
    ((("clv", "at_most", "1000"),), ["李雷"]),
    ((("p_alive", "at_most", "0.5"),), ["李雷"]),
    ((("tier", "is_not", "金牌"),), ["李雷", "杭州云帆科技有限公司"]),
    ((("tag", "has", "VIP"),), ["王芳"]),
    ((("tag", "lacks", "VIP"),), ["李雷", "杭州云帆科技有限公司"]),
    ((("kind", "is", "organization"),), ["杭州云帆科技有限公司"]),
    ((("location", "contains", "西湖区"),), ["杭州云帆科技有限公司"]),
    ((("days_since_last_order", "at_least", "30"),), ["李雷", "杭州云帆科技有限公司", "王芳"]),
    ((("created", "after", "2000-01-01"), ("created", "before", "2999-01-01")), ["李雷", "杭州云帆科技有限公司", "王芳"]),
    ((), ["李雷", "杭州云帆科技有限公司", "王芳"]),
])
def test_each_field(sales, archive, conditions, expected):
    assert names(sales, define(sales, *conditions)) == sorted(expected)


def test_location_reads_contact_point_addresses(sales, archive):
    make_person(sales, "孙丽", consents=[MARKETING], contact_points=[ContactPointData("address", "上海市徐汇区漕溪北路")])
    assert names(sales, define(sales, ("location", "contains", "徐汇"))) == ["孙丽"]


def test_withdrawing_marketing_consent_takes_a_customer_off_every_list_at_once(sales, archive):
    segment = define(sales, ("tier", "is", "金牌"))
    assert names(sales, segment) == ["王芳"]
    consent = Consent.objects.get(customer=archive["wang"], purpose="marketing")
    consent_withdraw(actor=sales, consent=consent)
    assert names(sales, segment) == []


def test_score_conditions_match_nobody_without_a_scoring_run(sales, archive):
    ScoringRun.objects.all().delete()
    assert names(sales, define(sales, ("tier", "is_not", "金牌"))) == sorted(["李雷", "王芳", "杭州云帆科技有限公司"])
    assert names(sales, define(sales, ("clv", "at_least", "0"), name="x")) == []


@pytest.mark.parametrize(("condition", "message"), [
    ({"field": "shoe_size", "op": "is", "value": "42"}, "Condition 1: unknown field “shoe_size”"),
    ({"field": "clv", "op": "is", "value": "5"}, "Condition 1 (Customer lifetime value): the operator must be one of"),
    ({"field": "clv", "op": "at_least", "value": "lots"}, "“lots” is not a number"),
    ({"field": "clv", "op": "at_least", "value": "-1"}, "give a number from 0 up"),
    ({"field": "tier", "op": "is", "value": "钻石"}, "“钻石” is not one of: 金牌, 银牌"),
    ({"field": "created", "op": "after", "value": "31/12/2024"}, "is not a date like 2024-03-01"),
    ({"field": "tag", "op": "has", "value": ""}, "a value is required"),
    ("clv >= 5", "Condition 1: give field, op and value."),
])
def test_bad_conditions_are_rejected_with_the_reason_and_nothing_is_saved(sales, archive, condition, message):
    with pytest.raises(ValidationError) as caught:
        segment_create(actor=sales, values={"name": "坏", "conditions": [condition]})
    assert any(message in text for text in caught.value.message_dict["conditions"])
    assert not Segment.objects.exists()


def test_bad_conditions_in_chinese(sales, archive):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        segment_create(actor=sales, values={"name": "坏", "conditions": [{"field": "x", "op": "is", "value": "1"}]})
    assert "条件 1" in caught.value.message_dict["conditions"][0]


def test_names_are_unique_and_only_author_or_manager_may_change(sales, teammate, manager, analyst, service_agent,
                                                               archive):
    segment = define(sales, ("tag", "has", "VIP"))
    with pytest.raises(ValidationError) as caught:
        define(teammate, name="高价值")
    assert "already exists" in caught.value.message_dict["name"][0]
    with pytest.raises(PermissionDenied):
        segment_update(actor=teammate, segment=segment, values={"name": "改", "conditions": []})
    segment_update(actor=manager, segment=segment, values={"name": "改", "conditions": []})
    assert define(analyst, name="分析师的").created_by == analyst
    with pytest.raises(PermissionDenied):
        segment_delete(actor=teammate, segment=segment)
    segment_delete(actor=sales, segment=segment)
    actions = list(AuditEvent.objects.filter(action__startswith="segment.").values_list("action", flat=True))
    assert actions.count("segment.create") == 2 and "segment.update" in actions and "segment.delete" in actions


def test_web_pages_define_list_and_show_members(client, sales, archive):
    client.force_login(sales)
    response = client.post(reverse("web:segment-create"), {
        "name": "金牌冠军", "field_0": "tier", "op_0": "is", "value_0": "金牌", "field_1": "clv", "op_1": "at_least",
        "value_1": "oops"})
    assert response.status_code == 200 and "“oops” is not a number" in response.content.decode()
    assert not Segment.objects.exists()
    response = client.post(reverse("web:segment-create"), {"name": "金牌冠军", "field_0": "tier", "op_0": "is",
                                                           "value_0": "金牌"})
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:segment-detail", args=[segment.pk])
    listing = client.get(reverse("web:segment-list")).content.decode()
    assert "金牌冠军" in listing and "Tier is 金牌" in listing
    detail = client.get(reverse("web:segment-detail", args=[segment.pk])).content.decode()
    assert "王芳" in detail and "赵敏" not in detail and "钱多多" not in detail
    service = client.get(reverse("web:segment-detail", args=[segment.pk]) + "?purpose=service").content.decode()
    assert "赵敏" in service
    edit = client.get(reverse("web:segment-edit", args=[segment.pk])).content.decode()
    assert 'value="金牌"' in edit


def test_export_is_csv_of_visible_consenting_members_and_audited(client, sales, service_agent, archive):
    segment = define(sales, ("tier", "is", "金牌"))
    client.force_login(sales)
    response = client.get(reverse("web:segment-export", args=[segment.pk]))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and "王芳" in lines[1] and "+8613800138000" in lines[1]
    event = AuditEvent.objects.filter(action="segment.export").get()
    assert event.changes["rows"] == 1 and event.changes["purpose"] == "marketing"
    client.force_login(service_agent)
    assert client.get(reverse("web:segment-export", args=[segment.pk])).status_code == 403


def test_do_not_contact_points_are_left_off_a_marketing_list(sales, archive):
    from kehu.segments.export import rows

    archive["wang"].contact_points.update(do_not_contact=True)
    segment = define(sales, ("tier", "is", "金牌"))
    (row,) = rows(members(viewer=sales, segment=segment), purpose="marketing")
    assert "+8613800138000" not in row
    (row,) = [r for r in rows(members(viewer=sales, segment=segment, purpose="service"), purpose="service")
              if r[1] == "王芳"]
    assert "+8613800138000" in row


def test_api_crud_members_and_export(client, sales, manager, archive):
    client.force_login(sales)
    fields = client.get("/api/segments/fields").json()
    assert {f["field"] for f in fields} == set(vocabulary.FIELDS)
    bad = client.post("/api/segments", {"name": "坏", "conditions": [{"field": "tier", "op": "is", "value": "钻石"}]},
                      content_type="application/json")
    assert bad.status_code == 422 and "钻石" in bad.json()["errors"][0]["message"]
    created = client.post("/api/segments", {"name": "金牌", "conditions": [
        {"field": "tier", "op": "is", "value": "金牌"}]}, content_type="application/json")
    assert created.status_code == 201, created.content
    segment_id = created.json()["id"]
    assert created.json()["marketing_count"] == 1 and created.json()["conditions_in_words"] == ["Tier is 金牌"]
    page = client.get(f"/api/segments/{segment_id}/members?purpose=service").json()
    assert sorted(item["name"] for item in page["items"]) == ["王芳", "赵敏"] and page["count"] == 2
    client.force_login(manager)
    assert client.get(f"/api/segments/{segment_id}").json()["marketing_count"] == 2
    export = client.get(f"/api/segments/{segment_id}/export")
    assert export.status_code == 200 and "钱多多" in b"".join(export.streaming_content).decode()
    replaced = client.put(f"/api/segments/{segment_id}", {"name": "全部", "conditions": []},
                          content_type="application/json")
    assert replaced.status_code == 200 and replaced.json()["name"] == "全部"
    assert client.delete(f"/api/segments/{segment_id}").status_code == 204
    assert client.get(f"/api/segments/{segment_id}").status_code == 404


def test_command_lists_and_exports(sales, archive, tmp_path, capsys):
    define(sales, ("tier", "is", "金牌"))
    call_command("segment", "list", "--user", sales.username)
    assert "高价值\t1\tTier is 金牌" in capsys.readouterr().out
    target = tmp_path / "list.csv"
    call_command("segment", "export", "高价值", "--purpose", "service", "--user", sales.username,
                 "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert "王芳" in text and "赵敏" in text and "钱多多" not in text
    assert AuditEvent.objects.filter(action="segment.export").get().changes["via"] == "command"
    out = io.StringIO()
    with pytest.raises(Exception, match="No segment"):
        call_command("segment", "export", "没有", "--user", sales.username, stdout=out)


def test_days_since_last_order_uses_the_consumption_profile(sales, archive):
    from kehu.sales.models import ConsumptionProfile

    ConsumptionProfile.objects.update_or_create(customer=archive["li"], defaults={
        "last_order_at": timezone.now() - datetime.timedelta(days=3), "order_count": 1})
    assert names(sales, define(sales, ("days_since_last_order", "at_most", "7"))) == ["李雷"]
    assert "李雷" not in names(sales, define(sales, ("days_since_last_order", "at_least", "7"), name="久"))


def test_export_cells_never_open_as_formulas(client, sales, archive):
    import csv

    Customer.objects.filter(pk=archive["wang"].pk).update(name='=HYPERLINK("http://example.invalid","点我")')
    client.force_login(sales)
    segment = define(sales, ("tier", "is", "金牌"))
    body = b"".join(client.get(reverse("web:segment-export", args=[segment.pk])).streaming_content).decode()
    (row,) = list(csv.reader(body.lstrip("\ufeff").splitlines()))[1:]
    assert row[1] == '\'=HYPERLINK("http://example.invalid","点我")'
    assert "+8613800138000" in row  # a phone is a number, not a formula: kept as it is
