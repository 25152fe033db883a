"""A card's statement reads like a bank's: one line per purchase, holds apart until charged."""

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from okryu.payments.statement import (
    LineKind,
    Purchase,
    StatementTransfer,
    build_statement,
)

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
NOODLES = Purchase(order="OK-1", merchant="옥류관", merchant_en="Okryu Restaurant")
_clock = itertools.count()


def transfer(
    transfer_id: str,
    kind: str,
    amount: int,
    *,
    origin: str | None = None,
    resolved: bool = False,
    is_in: bool = False,
) -> StatementTransfer:
    return StatementTransfer(
        transfer_id=transfer_id,
        kind=kind,
        is_in=is_in,
        amount_won=amount,
        created_at=T0 + dt.timedelta(minutes=next(_clock)),
        reference="OK-1",
        origin=origin or transfer_id,
        resolved=resolved,
    )


PURCHASES = {"OK-1/5/items": NOODLES, "OK-1/5/fee": NOODLES}


def test_a_purchases_items_and_fee_charged_make_one_line_replacing_its_holds():
    statement = build_statement(
        [
            transfer("OK-1/5/items", "hold", 12_000, resolved=True),
            transfer("OK-1/5/fee", "hold", 1_500, resolved=True),
            transfer("OK-1/5/items/capture", "capture", 12_000, origin="OK-1/5/items"),
            transfer("OK-1/5/fee/capture", "capture", 1_500, origin="OK-1/5/fee"),
        ],
        PURCHASES,
    )

    assert statement.pending == ()
    [line] = statement.lines
    assert (line.kind, line.amount_won, line.purchase) == (
        LineKind.CAPTURE,
        13_500,
        NOODLES,
    )


def test_holds_not_yet_charged_are_listed_apart_as_one_pending_purchase():
    statement = build_statement(
        [
            transfer("OK-1/5/items", "hold", 12_000),
            transfer("OK-1/5/fee", "hold", 1_500),
        ],
        PURCHASES,
    )

    assert statement.lines == ()
    [pending] = statement.pending
    assert (pending.kind, pending.amount_won, pending.purchase) == (
        LineKind.PENDING,
        13_500,
        NOODLES,
    )


def test_a_released_hold_leaves_no_line_at_all():
    statement = build_statement(
        [
            transfer("OK-1/5/items", "hold", 12_000, resolved=True),
            transfer("OK-1/5/items/void", "void", 12_000, origin="OK-1/5/items"),
        ],
        PURCHASES,
    )

    assert statement == build_statement([], {})


def test_a_refund_is_its_own_line_linked_to_the_purchase_it_gives_back():
    statement = build_statement(
        [
            transfer("OK-1/5/items", "hold", 12_000, resolved=True),
            transfer("OK-1/5/items/capture", "capture", 12_000, origin="OK-1/5/items"),
            transfer(
                "OK-1/5/items/refund",
                "refund",
                12_000,
                origin="OK-1/5/items",
                is_in=True,
            ),
        ],
        PURCHASES,
    )

    refund, purchase = statement.lines
    assert (refund.kind, refund.is_in, refund.purchase) == (
        LineKind.REFUND,
        True,
        NOODLES,
    )
    assert refund.refund_of == purchase.id == "OK-1/5/items/capture"


def test_a_top_up_without_a_purchase_is_a_line_of_its_own():
    [line] = build_statement(
        [transfer("top-up-1", "single", 50_000, is_in=True)], PURCHASES
    ).lines

    assert (line.kind, line.purchase, line.is_in) == (LineKind.SINGLE, None, True)


# A random history of several orders: each part held (items and maybe a fee), then
# captured, voided or left pending; some captures refunded.
part_outcome = st.sampled_from(["pending", "captured", "voided", "refunded"])


@given(
    parts=st.lists(
        st.tuples(st.integers(1, 50_000), st.integers(0, 3_000), part_outcome),
        max_size=8,
    )
)
def test_every_won_the_card_moved_is_on_exactly_one_line_and_no_hold_is_charged(parts):
    transfers: list[StatementTransfer] = []
    purchases: dict[str, Purchase] = {}
    moved = 0
    held = 0
    for index, (items, fee, outcome) in enumerate(parts):
        purchase = Purchase(order=f"OK-{index}", merchant="상점", merchant_en="Shop")
        for suffix, amount in (("items", items), ("fee", fee)):
            if not amount:
                continue
            hold_id = f"OK-{index}/{suffix}"
            purchases[hold_id] = purchase
            transfers.append(
                transfer(hold_id, "hold", amount, resolved=outcome != "pending")
            )
            if outcome == "pending":
                held += amount
            elif outcome == "voided":
                transfers.append(
                    transfer(f"{hold_id}/v", "void", amount, origin=hold_id)
                )
            else:
                transfers.append(
                    transfer(f"{hold_id}/c", "capture", amount, origin=hold_id)
                )
                moved -= amount
                if outcome == "refunded" and suffix == "items":
                    transfers.append(
                        transfer(
                            f"{hold_id}/r", "refund", amount, origin=hold_id, is_in=True
                        )
                    )
                    moved += amount

    statement = build_statement(transfers, purchases)

    assert sum(p.amount_won for p in statement.pending) == held
    assert all(p.kind == LineKind.PENDING for p in statement.pending)
    assert moved == sum(
        line.amount_won if line.is_in else -line.amount_won for line in statement.lines
    )
    charged = [line for line in statement.lines if line.kind == LineKind.CAPTURE]
    assert len(charged) == sum(
        outcome in {"captured", "refunded"} for *_, outcome in parts
    )
    listed = [t for line in statement.lines for t in line.transfer_ids]
    assert len(listed) == len(set(listed))
    assert not any(t.endswith(("items", "fee")) for t in listed)  # No hold is a charge.
    for line in statement.lines:
        if line.kind == LineKind.REFUND:
            assert line.refund_of in {c.id for c in charged}
