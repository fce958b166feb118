"""Validation messages from services and the API follow the request's language."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kehu.core.idcard import normalize_id_number
from kehu.core.phone import normalize_phone
from tests.api.conftest import ApiClient, fields_of

PERSON = {"kind": "person", "name": "陈静"}
BAD_PHONE = {**PERSON, "contact_points": [{"type": "mobile", "value": "12345"}]}


def _message(function, *args) -> str:
    with pytest.raises(ValidationError) as caught:
        function(*args)
    return caught.value.messages[0]


def test_service_validation_error_in_chinese():
    with translation.override("zh-hans"):
        assert _message(normalize_phone, "12345") == "“12345”不是有效的电话号码。"
        assert _message(normalize_phone, "") == "请输入电话号码。"
    with translation.override("en"):
        assert _message(normalize_phone, "12345") == "“12345” is not a valid phone number."


def test_id_card_error_in_chinese():
    with translation.override("zh-hans"):
        assert "身份证号" in _message(normalize_id_number, "123")


@pytest.mark.django_db
def test_api_error_in_chinese_with_accept_language(sales):
    response = ApiClient(sales, language="zh-Hans").post("/customers", BAD_PHONE)
    assert response.status_code == 422
    assert fields_of(response) == {"contact_points.0.value": ["“12345”不是有效的电话号码。"]}
    assert not any(c.isascii() and c.isalpha() for c in response.json()["detail"])


@pytest.mark.django_db
def test_api_error_in_english_with_accept_language(sales):
    response = ApiClient(sales, language="en").post("/customers", BAD_PHONE)
    assert response.status_code == 422
    assert fields_of(response) == {"contact_points.0.value": ["“12345” is not a valid phone number."]}


@pytest.mark.django_db
def test_api_schema_errors_in_chinese(sales):
    client = ApiClient(sales, language="zh-Hans")
    errors = fields_of(client.post("/customers", {**PERSON, "name": "长" * 10_000, "kind": "alien"}))
    assert errors["name"] == ["最多 200 个字符（当前 10000 个）。"]
    assert errors["kind"] == ["请选择有效的选项。alien 不在可选范围内。"]


@pytest.mark.django_db
def test_api_unauthenticated_message_in_chinese():
    response = ApiClient(None, language="zh-Hans").get("/customers")
    assert response.status_code == 401
    assert response.json()["detail"] == "需要身份验证：请发送 API 令牌或先登录。"
