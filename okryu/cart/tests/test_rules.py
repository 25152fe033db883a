"""The pure basket rules: quantity checks and pricing per merchant."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.cart.rules import BasketItem, QuantityRefusal, check_quantity, price_basket


def _item(line_id: int, merchant_id: int, price_won: int, quantity: int) -> BasketItem:
    return BasketItem(
        line_id=line_id,
        product_id=line_id,
        product_name=f"상품{line_id}",
        product_name_en=f"Product {line_id}",
        unit="개",
        unit_en="piece",
        merchant_id=merchant_id,
        merchant_name=f"상점{merchant_id}",
        merchant_name_en=f"Store {merchant_id}",
        price_won=price_won,
        price_won_seen=price_won,
        quantity=quantity,
        stock_available=quantity,
        purchase_limit_per_day=None,
    )


items_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5),
        st.integers(min_value=0, max_value=100_000_000),
        st.integers(min_value=1, max_value=999),
    ),
    max_size=50,
).map(
    lambda rows: [
        _item(index + 1, merchant, price, quantity)
        for index, (merchant, price, quantity) in enumerate(rows)
    ]
)


@given(items_strategy)
def test_the_total_is_the_sum_of_subtotals_and_of_price_times_quantity(items):
    """The total equals the sum of the merchants' subtotals and the sum of price × quantity;
    each subtotal equals the sum of its own lines."""
    summary = price_basket(items)

    assert summary.total_won == sum(group.subtotal_won for group in summary.groups)
    assert summary.total_won == sum(item.price_won * item.quantity for item in items)
    for group in summary.groups:
        assert group.subtotal_won == sum(i.price_won * i.quantity for i in group.items)


@given(items_strategy)
def test_every_line_appears_once_in_the_group_of_its_merchant(items):
    """Each line is in exactly one group, the one of its merchant, in its original order;
    no merchant has two groups."""
    summary = price_basket(items)

    merchant_ids = [group.merchant_id for group in summary.groups]
    assert len(merchant_ids) == len(set(merchant_ids))
    for group in summary.groups:
        assert all(item.merchant_id == group.merchant_id for item in group.items)
        expected = [item for item in items if item.merchant_id == group.merchant_id]
        assert list(group.items) == expected
    assert summary.line_count == len(items)


def test_groups_follow_the_order_of_each_merchant_s_first_line():
    items = [_item(1, 7, 1000, 1), _item(2, 3, 500, 2), _item(3, 7, 250, 4)]

    summary = price_basket(items)

    assert [group.merchant_id for group in summary.groups] == [7, 3]
    assert [group.subtotal_won for group in summary.groups] == [2000, 1000]
    assert summary.total_won == 3000
    assert summary.unit_count == 7


def test_an_empty_basket_totals_zero():
    summary = price_basket([])

    assert summary.is_empty
    assert summary.total_won == 0


@pytest.mark.parametrize(
    ("quantity", "refusal"),
    [
        pytest.param(0, QuantityRefusal.BELOW_ONE, id="zero"),
        pytest.param(-1, QuantityRefusal.BELOW_ONE, id="negative"),
        pytest.param(1.5, QuantityRefusal.NOT_A_WHOLE_NUMBER, id="fraction"),
        pytest.param("2", QuantityRefusal.NOT_A_WHOLE_NUMBER, id="text"),
        pytest.param(True, QuantityRefusal.NOT_A_WHOLE_NUMBER, id="boolean"),
        pytest.param(
            1000, QuantityRefusal.ABOVE_LINE_MAXIMUM, id="one past the maximum"
        ),
        pytest.param(10**9, QuantityRefusal.ABOVE_LINE_MAXIMUM, id="a billion"),
        pytest.param(4, QuantityRefusal.OVER_PURCHASE_LIMIT, id="over the limit"),
        pytest.param(3, None, id="at the limit"),
    ],
)
def test_check_quantity_names_the_first_refusal(quantity, refusal):
    result = check_quantity(
        quantity, line_quantity_max=999, purchase_limit_per_day=3, stock_available=10
    )

    assert result is refusal


def test_check_quantity_refuses_more_than_the_available_stock():
    assert (
        check_quantity(
            6, line_quantity_max=999, purchase_limit_per_day=None, stock_available=5
        )
        is QuantityRefusal.OVER_AVAILABLE_STOCK
    )
    assert (
        check_quantity(
            999, line_quantity_max=999, purchase_limit_per_day=None, stock_available=999
        )
        is None
    )
