import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from okryu.payments.rules import (
    ChipRecord,
    chip_message,
    compute_chip_mac,
    derive_card_key,
    is_amount_valid,
    is_card_number_well_formed,
    is_chip_mac_valid,
    is_pin_locked,
    is_pin_well_formed,
    is_within_limits,
    luhn_check_digit,
    pin_attempts_left,
)

bodies = st.text(alphabet="0123456789", min_size=15, max_size=15)


def test_a_known_card_number_passes_the_luhn_check():
    assert luhn_check_digit("7992739871") == "3"  # The textbook example, 79927398713.
    assert is_card_number_well_formed("4539578763621486")
    assert not is_card_number_well_formed("4539578763621487")


@given(bodies)
def test_every_body_completed_with_its_check_digit_is_well_formed(body):
    """A body of 15 digits and its Luhn digit always make a well-formed number."""
    assert is_card_number_well_formed(body + luhn_check_digit(body))


@given(bodies, st.integers(0, 15), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_check(body, position, shift):
    """Luhn catches every single-digit error."""
    number = body + luhn_check_digit(body)
    changed = str((int(number[position]) + shift) % 10)
    typo = number[:position] + changed + number[position + 1 :]

    assert not is_card_number_well_formed(typo)


def test_a_card_number_is_sixteen_ascii_digits():
    assert not is_card_number_well_formed(
        "４５３９５７８７６３６２１４８６"
    )  # Full-width.
    assert not is_card_number_well_formed(4539578763621486)
    assert not is_card_number_well_formed("453957876362148")


def test_a_pin_is_four_to_six_digits():
    assert [
        is_pin_well_formed(pin) for pin in ["123", "1234", "123456", "1234567"]
    ] == [
        False,
        True,
        True,
        False,
    ]
    assert not is_pin_well_formed("12a4")
    assert not is_pin_well_formed(1234)


def test_an_amount_is_a_true_integer_from_one_to_the_maximum():
    cases = [0, 1, 100, 101, -1, 1.0, True, "5", None]

    assert [is_amount_valid(amount, maximum_won=100) for amount in cases] == [
        False,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
        False,
    ]


def test_three_wrong_pins_lock_a_card():
    assert [pin_attempts_left(failed) for failed in range(5)] == [3, 2, 1, 0, 0]
    assert [is_pin_locked(failed) for failed in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]


def test_limits_hold_at_the_edge_and_refuse_one_more():
    limits = {"transfer_limit_won": 100, "daily_limit_won": 150}

    assert is_within_limits(amount_won=100, spent_today_won=50, **limits)
    assert not is_within_limits(amount_won=101, spent_today_won=0, **limits)
    assert not is_within_limits(amount_won=51, spent_today_won=100, **limits)


@given(
    st.integers(1, 10**9),
    st.integers(1, 10**6),
    st.integers(0, 2**40),
    st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
)
def test_a_chip_mac_verifies_only_the_exact_record_it_signed(
    amount, merchant, counter, challenge
):
    """Any change of amount, merchant, counter or challenge makes the MAC fail."""
    key = derive_card_key(master_key=b"master", card_number="9410000000000007")
    message = chip_message(
        card_number="9410000000000007",
        amount_won=amount,
        merchant_account_id=merchant,
        counter=counter,
        challenge=challenge,
    )
    record = ChipRecord(
        "9410000000000007",
        amount,
        merchant,
        counter,
        challenge,
        compute_chip_mac(card_key=key, message=message),
    )

    assert is_chip_mac_valid(card_key=key, record=record)
    for change in [
        {"amount_won": amount + 1},
        {"merchant_account_id": merchant + 1},
        {"counter": counter + 1},
        {"challenge": ("1" if challenge[0] == "0" else "0") + challenge[1:]},
    ]:
        assert not is_chip_mac_valid(
            card_key=key, record=dataclasses.replace(record, **change)
        )


def test_each_card_has_its_own_key():
    first = derive_card_key(master_key=b"master", card_number="9410000000000007")
    second = derive_card_key(master_key=b"master", card_number="9410000000000015")
    other_master = derive_card_key(master_key=b"other", card_number="9410000000000007")

    assert len({first, second, other_master}) == 3
    assert len(first) == 32
