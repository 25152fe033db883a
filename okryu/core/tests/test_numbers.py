"""Numbers as people read them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.core.numbers import format_count, format_distance, format_weight


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (3836, "3,836"), (-1200, "-1,200")],
)
def test_counts_have_thousands_separated(count, text):
    assert format_count(count) == text


@pytest.mark.parametrize(
    ("meters", "text"),
    [
        (0, "0 m"),
        (850, "850 m"),
        (999, "999 m"),
        (1000, "1 km"),
        (3836, "3.8 km"),
        (12_000, "12 km"),
        (1_204_500, "1,204.5 km"),
    ],
)
def test_distances_read_in_metres_then_kilometres(meters, text):
    assert format_distance(meters) == text


@pytest.mark.parametrize(
    ("grams", "text"),
    [
        (0, "0 g"),
        (850, "850 g"),
        (1000, "1 kg"),
        (12_500, "12.5 kg"),
        (1_500_000, "1,500 kg"),
    ],
)
def test_weights_read_in_grams_then_kilograms(grams, text):
    assert format_weight(grams) == text


@given(st.integers(0, 10**12))
def test_no_formatted_number_shows_four_digits_in_a_row(value):
    """Every run of digits before a decimal point is at most three long once separated."""
    for text in (format_count(value), format_distance(value), format_weight(value)):
        whole = text.split(" ")[0].split(".")[0]
        assert all(1 <= len(group) <= 3 for group in whole.split(",")), text
