"""Key pages speak Chinese under zh-hans and English under en, with nothing left over."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import make_organization

pytestmark = pytest.mark.django_db

# (Chinese words that must appear, English source words that must not) per page.
SIGN_IN = (["登录", "客户档案"], ["Sign in", "Customer archive"])
CUSTOMER_LIST = (
    ["客户", "新建个人客户", "新建单位客户", "退出登录", "搜索", "完整度", "张三"],
    ["New person", "New organisation", "Sign out", "Completeness", "Any status", "Newest first"],
)
PERSON_PAGE = (
    ["联系方式", "重要日期", "家庭成员", "关系", "档案完整度", "来源与核实", "编辑档案", "时间线", "应收款与信用"],
    ["Contact points", "Important dates", "Family members", "Profile completeness", "Edit file", "Timeline",
     "Receivables and credit", "Source channel"],
)
ORGANIZATION_PAGE = (["关键人", "统一社会信用代码", "付款条件", "信用额度"],
                     ["Key people", "Unified social credit code", "Payment terms", "Credit limit"])
NEW_PERSON_FORM = (
    ["创建客户档案", "客户编号", "负责人", "公海", "信息来源", "性别", "籍贯", "户籍", "身份证号", "手机"],
    ["Create customer file", "Customer number", "Owner", "Source channel", "Gender", "Native place", "Mobile"],
)


def _check(response, chinese: list[str], english: list[str], language: str) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    if language == "zh-hans":
        assert [w for w in chinese if w not in page] == []
        assert [w for w in english if w in page] == []
    else:
        assert [w for w in english if w not in page] == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sign_in_page(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _check(client.get(reverse("login")), *SIGN_IN, language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_customer_list(client, sales, customer, language):
    client.force_login(sales)
    response = client.get(reverse("web:customer-list"), HTTP_ACCEPT_LANGUAGE=language)
    _check(response, *CUSTOMER_LIST, language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_customer_page(client, sales, customer, language):
    client.force_login(sales)
    response = client.get(reverse("web:customer-detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE=language)
    _check(response, *PERSON_PAGE, language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_organization_page(client, sales, language):
    company = make_organization(sales)
    client.force_login(sales)
    response = client.get(reverse("web:customer-detail", args=[company.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    if language == "zh-hans":
        assert "关键人" in page and "Key people" not in page
    else:
        assert "Key people" in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_new_person_form(client, sales, language):
    client.force_login(sales)
    response = client.get(reverse("web:person-create"), HTTP_ACCEPT_LANGUAGE=language)
    _check(response, *NEW_PERSON_FORM, language)


def test_form_errors_come_back_in_chinese(client, sales):
    client.force_login(sales)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(reverse("web:person-create"), {"name": "王小明", "status": "active", "contact-mobile": "12345"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“12345”不是有效的电话号码。" in page
    assert "is not a valid phone number" not in page


def test_language_cookie_wins_over_the_default(client, sales, customer, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(sales)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("web:customer-list")).content.decode()
    assert "New person" in page and "新建个人客户" not in page
