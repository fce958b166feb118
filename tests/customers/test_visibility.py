import pytest
from django.http import Http404

from kehu.customers.selectors import customer_get, visible_to

pytestmark = pytest.mark.django_db


def test_sales_sees_own_team_and_pool_but_not_other_team(sales, teammate, outsider, customer, pool_customer):
    assert set(visible_to(sales)) == {customer, pool_customer}
    assert set(visible_to(teammate)) == {customer, pool_customer}
    assert set(visible_to(outsider)) == {pool_customer}


def test_managers_administrators_and_analysts_see_everyone(manager, admin, analyst, customer, pool_customer):
    for viewer in (manager, admin, analyst):
        assert set(visible_to(viewer)) == {customer, pool_customer}


def test_inactive_and_anonymous_users_see_nothing(sales, customer):
    from django.contrib.auth.models import AnonymousUser

    sales.is_active = False
    assert not visible_to(sales).exists()
    assert not visible_to(AnonymousUser()).exists()


def test_invisible_customer_is_404(outsider, customer):
    with pytest.raises(Http404):
        customer_get(viewer=outsider, pk=customer.pk)


def test_may_see_trusts_an_opened_customer_only_until_it_is_read_again_and_missing(sales, outsider, customer):
    """`may_see` remembers what `customer_get` opened in this request; a request that moves
    the customer away reads it again (404) and from then on asks the database again."""
    from kehu.customers.models import Customer
    from kehu.customers.selectors import may_see

    customer_get(viewer=sales, pk=customer.pk)
    assert may_see(sales, customer.pk)
    Customer.objects.filter(pk=customer.pk).update(owner=outsider, team=outsider.team)
    assert may_see(sales, customer.pk)  # the memo: one request's opened file
    with pytest.raises(Http404):
        customer_get(viewer=sales, pk=customer.pk)
    assert not may_see(sales, customer.pk)
