"""Dishes in the basket: a line per choice of options, priced with them; portions left."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from okryu.accounts.tests.factories import UserFactory
from okryu.cart.models import BasketLine
from okryu.cart.owners import BasketOwner
from okryu.cart.queries import get_basket_summary
from okryu.cart.services import add_to_basket, merge_session_basket_into_user
from okryu.catalog.models import Product
from okryu.catalog.portions import set_daily_capacity
from okryu.catalog.tests.factories import Noodles, ProductFactory, add_noodle_options
from okryu.core.errors import DomainError
from okryu.core.particles import with_particle
from okryu.merchants.models import MerchantKind
from okryu.merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

SHOPPER = BasketOwner.for_session("dish-shopper")


@pytest.fixture(autouse=True)
def _noon():
    with time_machine.travel(dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def noodles() -> Noodles:
    dish = ProductFactory.create(
        merchant=MerchantFactory.create(kind=MerchantKind.RESTAURANT),
        is_made_to_order=True,
        price_won=12_000,
    )
    with transaction.atomic():
        assert set_daily_capacity(
            product_id=dish.pk, daily_capacity=5, day=dt.date(2026, 12, 1)
        )
    dish.refresh_from_db()
    return add_noodle_options(dish)


def test_a_dish_with_options_is_priced_named_and_bounded_by_the_portions_left(noodles):
    add_to_basket(
        owner=SHOPPER,
        product_id=noodles.dish.pk,
        quantity=2,
        option_ids=[noodles.egg.pk, noodles.large.pk],
    )

    [item] = get_basket_summary(SHOPPER).groups[0].items
    assert (item.price_won, item.price_won_seen, item.total_won) == (
        14_500,
        14_500,
        29_000,
    )
    assert (item.options_text, item.options_text_en, item.option_ids) == (
        "곱빼기, 계란 추가",
        "Large, Extra egg",
        (noodles.large.pk, noodles.egg.pk),
    )
    assert item.stock_available == 5


def test_a_basket_of_one_dish_with_options_reads_the_options_once(
    noodles, django_assert_num_queries
):
    add_to_basket(
        owner=SHOPPER,
        product_id=noodles.dish.pk,
        quantity=1,
        option_ids=[noodles.large.pk],
    )
    add_to_basket(
        owner=SHOPPER,
        product_id=noodles.dish.pk,
        quantity=1,
        option_ids=[noodles.regular.pk],
    )

    with django_assert_num_queries(2):
        summary = get_basket_summary(SHOPPER)

    assert summary.line_count == 2


@pytest.mark.parametrize(
    ("case", "code"),
    [("no-portion-chosen", "invalid"), ("more-than-left", "out_of_stock")],
)
def test_a_refused_dish_line_adds_nothing(noodles, case, code):
    options = [] if case == "no-portion-chosen" else [noodles.regular.pk]
    quantity = 1 if case == "no-portion-chosen" else 6

    with pytest.raises(DomainError) as refusal:
        add_to_basket(
            owner=SHOPPER,
            product_id=noodles.dish.pk,
            quantity=quantity,
            option_ids=options,
        )

    assert refusal.value.code == code
    assert BasketLine.objects.count() == 0


def test_a_sold_out_dish_cannot_go_in_the_basket(noodles):
    Product.objects.filter(pk=noodles.dish.pk).update(is_sold_out=True)

    with pytest.raises(DomainError) as refusal:
        add_to_basket(
            owner=SHOPPER,
            product_id=noodles.dish.pk,
            quantity=1,
            option_ids=[noodles.regular.pk],
        )

    assert (refusal.value.code, refusal.value.detail) == (
        "invalid",
        f"{with_particle(noodles.dish.name, '은')} 오늘 다 팔렸습니다.",
    )
    assert BasketLine.objects.count() == 0


def test_merging_at_log_in_keeps_lines_of_other_options_apart(noodles):
    user = UserFactory.create()
    mine = BasketOwner.for_user(user.pk)
    add_to_basket(
        owner=mine,
        product_id=noodles.dish.pk,
        quantity=1,
        option_ids=[noodles.large.pk],
    )
    for option in (noodles.large, noodles.regular):
        add_to_basket(
            owner=SHOPPER,
            product_id=noodles.dish.pk,
            quantity=1,
            option_ids=[option.pk],
        )

    merge_session_basket_into_user(session_key="dish-shopper", user=user)

    assert dict(
        BasketLine.objects.filter(basket__user=user).values_list(
            "options_key", "quantity"
        )
    ) == {str(noodles.large.pk): 2, str(noodles.regular.pk): 1}
