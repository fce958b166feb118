import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kehu.core.phone import format_phone, normalize_phone, query_digits
from kehu.core.pinyin import full_pinyin, initials
from kehu.core.uscc import ALPHABET, check_character, normalize_uscc


@pytest.mark.parametrize("raw", ["13800138000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000",
                                 "１３８００１３８０００", "(+86) 138.0013.8000"])
def test_mobile_forms_fold_to_e164(raw):
    assert normalize_phone(raw) == "+8613800138000"


@pytest.mark.parametrize("raw", ["12345", "", "abc", "+86 1", "1" * 41])
def test_invalid_phones_rejected(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_landline_and_foreign():
    assert normalize_phone("010-12345678") == "+861012345678"
    assert normalize_phone("+1 650 253 0000") == "+16502530000"
    assert format_phone("+8613800138000") == "138 0013 8000"


@given(st.text(max_size=50))
def test_phone_parser_never_crashes(text):
    with contextlib.suppress(ValidationError):
        assert normalize_phone(text).startswith("+")
    query_digits(text)


@pytest.mark.parametrize(("name", "pinyin", "abbr"), [
    ("张三", "zhangsan", "zs"), ("单雄信", "shanxiongxin", "sxx"), ("曾国藩", "zengguofan", "zgf"),
    ("解缙", "xiejin", "xj"), ("吕布", "lvbu", "lb"), ("尉迟恭", "yuchigong", "ycg"), ("仇英", "qiuying", "qy"),
])
def test_surname_readings(name, pinyin, abbr):
    assert full_pinyin(name) == pinyin
    assert initials(name) == abbr


def test_organisation_names_use_common_readings():
    assert initials("重庆银行", person=False) == "cqyh"


def test_known_credit_code():
    assert normalize_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(("raw", "fragment"), [
    ("91350100M000100Y44", "check character"), ("9135", "18 characters"), ("91350100M000100YI3", "cannot appear"),
])
def test_bad_credit_codes(raw, fragment):
    with pytest.raises(ValidationError) as excinfo:
        normalize_uscc(raw)
    assert fragment in str(excinfo.value.messages[0])


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_generated_codes_validate_and_any_typo_is_caught(body):
    code = body + check_character(body)
    assert normalize_uscc(code) == code
    typo = ALPHABET[(ALPHABET.index(code[3]) + 1) % len(ALPHABET)]
    with pytest.raises(ValidationError):
        normalize_uscc(code[:3] + typo + code[4:])
