"""Customer search through the selector: every query form the list page offers."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.customers import search
from kehu.customers.search import name_keys, query_keys
from kehu.customers.selectors import SORTS, CustomerFilters, customer_list
from kehu.customers.services import ContactPointData
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db


def names(viewer, query):
    return sorted(customer_list(viewer=viewer, filters=CustomerFilters(query=query)).values_list("name", flat=True))


@pytest.fixture
def archive(sales):
    make_person(sales, "张三", contact_points=[ContactPointData("mobile", "13800138000"),
                                              ContactPointData("email", "zhangsan@example.com")],
                profile={"employer": "华为技术有限公司"})
    make_person(sales, "张三丰", contact_points=[ContactPointData("mobile", "13912345678")])
    make_person(sales, "单雄信", contact_points=[])
    make_person(sales, "Li Lei", contact_points=[ContactPointData("email", "lilei@example.org")])
    make_organization(sales, "杭州云帆科技有限公司")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张", ["张三", "张三丰"]),  # one Chinese character
        ("三丰", ["张三丰"]),  # two characters, not a prefix of the name
        ("丰", ["张三丰"]),
        ("张三", ["张三", "张三丰"]),
        ("zs", ["张三", "张三丰"]),  # pinyin initials
        ("zsf", ["张三丰"]),
        ("ZhangSanFeng", ["张三丰"]),  # full pinyin, any case
        ("sanfeng", ["张三丰"]),  # given-name pinyin
        ("sxx", ["单雄信"]),  # surname override: 单 reads shan
        ("shan", ["单雄信"]),
        ("13800138000", ["张三"]),
        ("138-0013-8000", ["张三"]),
        ("+86 138 0013 8000", ["张三"]),
        ("0086 13800138000", ["张三"]),
        ("１３８００１３８０００", ["张三"]),  # full-width digits
        ("1380013", ["张三"]),  # prefix of the number
        ("5678", ["张三丰"]),  # last four digits
        ("zhangsan@example.com", ["张三"]),
        ("ZHANGSAN@", ["张三"]),
        ("华为", ["张三"]),  # employer
        ("云帆", ["杭州云帆科技有限公司"]),  # company substring
        ("hzyf", ["杭州云帆科技有限公司"]),
        ("li", ["Li Lei"]),
        ("lei", ["Li Lei"]),
        ("张 丰", ["张三丰"]),  # every word must match
        ("王", []),
        ("   ", ["Li Lei", "单雄信", "张三", "张三丰", "杭州云帆科技有限公司"]),  # blank = no filter
        ("%", []),
        ("_", []),
    ],
)
def test_query_forms(sales, archive, query, expected):
    assert names(sales, query) == expected


@pytest.fixture
def every_word_broad(monkeypatch):
    """Make every search word take the probe walk that broad words (张, zs) take on a big archive."""
    monkeypatch.setattr(search, "BROAD_KEYS", 1)
    monkeypatch.setattr(search, "COUNT_SAMPLE", 1)


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("query", ["张", "三丰", "zs", "13800138000", "5678", "华为", "张 丰", "@example", "王", "KH"])
def test_the_probe_walk_finds_what_the_join_finds(sales, outsider, archive, query, sort, monkeypatch):
    make_person(outsider, "张伟", contact_points=[ContactPointData("mobile", "13700005678")])

    def listed() -> tuple[list[int], int]:
        customers = customer_list(viewer=sales, filters=CustomerFilters(query=query), sort=sort)
        return list(customers.values_list("pk", flat=True)), search.count_at_most(customers, cap=2)

    joined = listed()
    monkeypatch.setattr(search, "BROAD_KEYS", 1)
    monkeypatch.setattr(search, "COUNT_SAMPLE", 1)
    walked = listed()
    assert walked == joined
    assert joined[1] == min(len(joined[0]), 3)


def test_a_broad_word_is_walked_with_probes_not_joined(sales, archive, every_word_broad):
    customers = customer_list(viewer=sales, filters=CustomerFilters(query="张"))
    assert any(isinstance(expr, search.TermProbe) for expr in customers.query.annotations.values())
    narrow = customer_list(viewer=sales, filters=CustomerFilters(query="张"), sort="-completeness")
    assert not any(isinstance(expr, search.TermProbe) for expr in narrow.query.annotations.values())


def test_count_falls_back_to_the_full_join_when_the_sample_proves_nothing(sales, archive, every_word_broad):
    # A one-key sample holds one customer, never more than the cap of 1: the full count decides.
    customers = customer_list(viewer=sales, filters=CustomerFilters(query="张"))
    assert search.count_at_most(customers, cap=5) == 2
    assert search.count_at_most(customers, cap=1) == 2


def test_search_respects_visibility(sales, outsider, archive):
    make_person(outsider, "张伟", contact_points=[])
    assert names(outsider, "张") == ["张伟"]
    assert "张伟" not in names(sales, "张")


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_any_query_text_is_safe(text):
    keys = query_keys(text)
    assert all(len(key) <= 64 for key in keys)


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_every_substring_of_a_chinese_name_is_a_key_prefix(name):
    keys = name_keys(name, person=True)
    for start in range(len(name)):
        for end in range(start + 1, len(name) + 1):
            assert any(key.startswith(name[start:end]) for key in keys)
