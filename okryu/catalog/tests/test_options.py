"""Choosing a dish's options: the pure check against its menu, and the ids' key."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.catalog.options import (
    MenuGroup,
    MenuOption,
    OptionMenu,
    choose_options,
    option_ids_of_key,
    options_key,
)
from okryu.core.errors import InvalidInput


def _option(option_id: int, group_id: int, name: str, change: int) -> MenuOption:
    return MenuOption(
        option_id=option_id,
        group_id=group_id,
        name=name,
        name_en=name.upper(),
        price_change_won=change,
    )


MENU = OptionMenu(
    product_id=1,
    groups=(
        MenuGroup(
            group_id=10,
            name="양",
            name_en="Portion",
            choice="one",
            options=(_option(1, 10, "보통", 0), _option(2, 10, "곱빼기", 2_000)),
        ),
        MenuGroup(
            group_id=20,
            name="추가",
            name_en="Extras",
            choice="any",
            options=(
                _option(3, 20, "사리 추가", 1_500),
                _option(4, 20, "계란 추가", 500),
            ),
        ),
    ),
)


def test_a_choice_is_named_in_display_order_and_priced_by_its_sum():
    chosen = choose_options(MENU, [4, 2, 3])

    assert chosen.option_ids == (2, 3, 4)
    assert chosen.key == "2,3,4"
    assert (chosen.text, chosen.text_en) == (
        "곱빼기, 사리 추가, 계란 추가",
        "곱빼기, 사리 추가, 계란 추가".upper(),
    )
    assert chosen.price_change_won == 4_000


@pytest.mark.parametrize(
    ("option_ids", "detail"),
    [
        pytest.param([3], "양에서 하나를 고르십시오.", id="required-missing"),
        pytest.param([1, 2], "양에서 하나를 고르십시오.", id="two-in-a-one-group"),
        pytest.param(
            [1, 99], "이 상품에서 고를 수 없는 선택입니다.", id="not-this-dish"
        ),
        pytest.param([1, 3, 3], "같은 선택이 두 번 있습니다.", id="twice"),
        pytest.param([1, True], "선택 번호가 올바르지 않습니다.", id="not-an-id"),
    ],
)
def test_a_wrong_choice_is_refused_naming_options(option_ids, detail):
    with pytest.raises(InvalidInput) as refusal:
        choose_options(MENU, option_ids)

    assert (refusal.value.field, refusal.value.detail) == ("options", detail)


def test_more_options_than_a_line_may_carry_are_refused(settings):
    settings.OKRYU_LINE_OPTIONS_MAX = 2

    choose_options(MENU, [1, 3])
    with pytest.raises(InvalidInput) as refusal:
        choose_options(MENU, [1, 3, 4])

    assert refusal.value.field == "options"


@given(st.lists(st.integers(min_value=1, max_value=10**9), max_size=10))
def test_a_key_gives_back_its_ids_sorted_and_once(option_ids):
    """Whatever the order or repetition of ids, the key reads back as the sorted set."""
    key = options_key(option_ids)

    assert option_ids_of_key(key) == tuple(sorted(set(option_ids)))
    assert options_key(reversed(option_ids)) == key


def test_a_tampered_key_reads_as_no_options():
    assert option_ids_of_key("1,x") == ()
