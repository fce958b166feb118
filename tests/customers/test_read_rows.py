"""Reading a customer list page in two steps (ids, then rows) gives what one slice gives."""

import pytest
from django.db import connection

from kehu.customers import search
from kehu.customers.selectors import SORTS, CustomerFilters, customer_list, read_counted_page, read_rows
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(sales, outsider):
    mine = [make_person(sales, f"王{index}号", tags=[f"t{index % 3}"]) for index in range(7)]
    make_person(outsider, "王外人")  # another team's customer: never on sales's pages
    return mine


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("bounds", [(0, 4), (3, 9), (20, 30)])
def test_same_rows_in_the_same_order_as_a_slice(sales, archive, sort, bounds):
    customers = customer_list(viewer=sales, filters=CustomerFilters(query="王"), sort=sort).prefetch_related("tags")
    start, stop = bounds
    assert [c.pk for c in read_rows(customers, start, stop)] == [c.pk for c in customers[start:stop]]


@pytest.mark.parametrize("broad", [False, True], ids=["narrow word", "broad word (probes)"])
@pytest.mark.parametrize("query", ["王", "号", ""])
@pytest.mark.parametrize("bounds,cap", [((0, 4), 5), ((0, 4), 100), ((0, 26), 100), ((0, 26), 3), ((3, 9), 2), ((5, 9), 100), ((20, 30), 5)])
def test_counted_page_is_the_slice_and_the_capped_count(sales, archive, monkeypatch, broad, query, bounds, cap):
    if broad:
        monkeypatch.setattr(search, "BROAD_KEYS", 1)
    customers = customer_list(viewer=sales, filters=CustomerFilters(query=query), sort="name")
    start, stop = bounds
    rows, count = read_counted_page(customers, start, stop, cap)
    assert bool(search.term_probes(customers)) == (broad and bool(query))
    assert [c.pk for c in rows] == [c.pk for c in customers[start:stop]]
    assert count == search.count_at_most(customers, cap) == min(7, cap + 1)


def test_a_page_that_ends_the_list_is_not_counted_again(sales, archive, django_assert_num_queries):
    customers = customer_list(viewer=sales, filters=CustomerFilters(query="王"), sort="name")
    with django_assert_num_queries(2):  # (the word's keys were read when the search was built) ids, rows
        rows, count = read_counted_page(customers, 0, 26, 1000)
    assert len(rows) == 7 and count == 7
    with django_assert_num_queries(3):  # ids, count, rows
        rows, count = read_counted_page(customers, 0, 4, 1000)
    assert len(rows) == 4 and count == 7


def test_related_rows_the_caller_asked_for_come_along(sales, archive, django_assert_num_queries):
    customers = customer_list(viewer=sales, filters=CustomerFilters(), sort="name").prefetch_related("tags")
    # ids, rows with owner and team joined, tags: nothing more per row afterwards
    with django_assert_num_queries(3):
        rows = read_rows(customers, 0, 5)
        labels = [(row.owner.username, row.team.name, sorted(tag.name for tag in row.tags.all())) for row in rows]
    assert labels[0] == ("sales", sales.team.name, ["t0"])


def test_a_customer_removed_between_the_two_reads_is_left_out(sales, archive, monkeypatch):
    customers = customer_list(viewer=sales, filters=CustomerFilters(), sort="created")
    gone = archive[1]
    real_values_list = type(customers).values_list

    def ids_then_delete(self, *args, **kwargs):
        ids = list(real_values_list(self, *args, **kwargs))
        gone.delete()
        return ids

    monkeypatch.setattr(type(customers), "values_list", ids_then_delete)
    rows = read_rows(customers, 0, 3)
    assert [c.pk for c in rows] == [archive[0].pk, archive[2].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the covering index exists on PostgreSQL only")
def test_visibility_index_holds_owner_and_team(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'customer_visibility'")
        (definition,) = cursor.fetchone()
    assert "(id) INCLUDE (owner_id, team_id)" in definition
