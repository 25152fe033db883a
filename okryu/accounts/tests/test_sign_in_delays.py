"""The progressive delay after failed sign-ins, and the password digest spraying is counted by."""

from okryu.accounts.sign_in import delay_seconds, password_digest


def test_the_delay_doubles_from_5_seconds_and_stops_at_30():
    delays = [delay_seconds(failures_over_free) for failures_over_free in range(1, 8)]

    assert delays == [5, 10, 20, 30, 30, 30, 30]


def test_a_huge_failure_count_still_waits_30_seconds():
    assert delay_seconds(10_000) == 30


def test_the_password_digest_is_32_bits_and_the_same_for_the_same_password():
    first = password_digest("pyongyang-1950")

    assert first == password_digest("pyongyang-1950")
    assert first != password_digest("pyongyang-1951")
    assert len(first) == 8
    assert "pyongyang" not in first
