import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.core.won import WON_AMOUNT_MAX, format_won, parse_won


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "0원"),
        (7, "7원"),
        (1234, "1,234원"),
        (1234567, "1,234,567원"),
        (-500, "-500원"),
    ],
)
def test_won_is_shown_with_thousands_separators_and_the_won_sign(amount, shown):
    assert format_won(amount) == shown


@given(st.integers(min_value=0, max_value=WON_AMOUNT_MAX))
def test_a_formatted_amount_reads_back_as_the_same_amount(amount):
    assert parse_won(format_won(amount)) == amount


@pytest.mark.parametrize(
    "text", ["", "abc", "1.5", "-3", "12,3.4원", str(WON_AMOUNT_MAX + 1)]
)
def test_malformed_or_too_large_amounts_are_refused(text):
    with pytest.raises(ValueError, match=r"won|maximum"):
        parse_won(text)
