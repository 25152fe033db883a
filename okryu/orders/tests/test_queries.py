import pytest

from okryu.core.errors import NotFound
from okryu.merchants.models import MerchantKind
from okryu.orders.audit import audit_orders
from okryu.orders.queries import (
    get_fulfilment_for_staff,
    get_order_for_shopper,
    list_fulfilments_for_logistics,
    list_fulfilments_for_staff,
    list_orders_for_shopper,
    payment_status_of,
    rows_of_order,
)
from okryu.orders.services import place_order
from okryu.orders.tests.builders import (
    checkout,
    make_merchant,
    make_product,
    make_shopper,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orders():
    store, store_staff = make_merchant()
    factory, factory_staff = make_merchant(kind=MerchantKind.FACTORY)
    tofu = make_product(store, stock=9, price_won=1_500)
    soap = make_product(factory, stock=9, price_won=2_500)
    shopper, card = make_shopper()
    other, other_card = make_shopper()
    mine = place_order(
        shopper_id=shopper.pk,
        checkout=checkout(card, [(tofu, 1), (soap, 2)]),
        idempotency_key="mine",
    )
    theirs = place_order(
        shopper_id=other.pk,
        checkout=checkout(other_card, [(tofu, 1)]),
        idempotency_key="theirs",
    )
    return {
        "shopper": shopper,
        "other": other,
        "mine": mine,
        "theirs": theirs,
        "store_staff": store_staff,
        "factory_staff": factory_staff,
    }


def test_a_shopper_lists_only_their_own_orders(two_orders):
    orders, total = list_orders_for_shopper(
        shopper_id=two_orders["shopper"].pk, limit=10
    )

    assert ([order.pk for order in orders], total) == ([two_orders["mine"].order_id], 1)


def test_a_shopper_cannot_see_another_shoppers_order(two_orders):
    with pytest.raises(NotFound):
        get_order_for_shopper(
            shopper_id=two_orders["shopper"].pk,
            order_id=two_orders["theirs"].order_id,
        )


def test_an_order_is_read_with_its_details_in_a_fixed_number_of_queries(
    two_orders, django_assert_num_queries
):
    with django_assert_num_queries(4):
        order = get_order_for_shopper(
            shopper_id=two_orders["shopper"].pk, order_id=two_orders["mine"].order_id
        )
        rows = rows_of_order(order)

    assert rows == two_orders["mine"].rows
    assert payment_status_of(order.payment_method, rows.fulfilment_rows) == "held"


def test_staff_see_only_their_merchants_fulfilments_oldest_first(two_orders):
    fulfilments, total = list_fulfilments_for_staff(
        staff_user_id=two_orders["store_staff"].pk, status="placed", limit=10
    )

    assert total == 2
    assert [f.order_id for f in fulfilments] == [
        two_orders["mine"].order_id,
        two_orders["theirs"].order_id,
    ]


def test_staff_cannot_read_another_merchants_fulfilment(two_orders):
    factory_part, _total = list_fulfilments_for_staff(
        staff_user_id=two_orders["factory_staff"].pk, status=None, limit=10
    )

    with pytest.raises(NotFound):
        get_fulfilment_for_staff(
            staff_user_id=two_orders["store_staff"].pk,
            fulfilment_id=factory_part[0].pk,
        )


def test_logistics_lists_fulfilments_by_status(two_orders):
    placed = list_fulfilments_for_logistics(statuses=["placed"], limit=10)
    ready = list_fulfilments_for_logistics(statuses=["ready"], limit=10)

    assert (len(placed), len(ready)) == (3, 0)


def test_the_audit_of_no_orders_at_all_is_all_zero():
    audit = audit_orders()

    assert (audit.paid_not_equal_captured, audit.violations) == (0, 0)
