"""The demo shoppers' funded cards: fixed numbers and PINs, published in the README.

The PINs are public on purpose, like the demo passwords: they let anyone try a payment.
"""

from dataclasses import dataclass

from okryu.accounts.models import User
from okryu.payments import ledger
from okryu.payments.cards import issue_card


@dataclass(frozen=True)
class DemoCard:
    """One demo card: its holder's login, number, PIN and the cash paid in at the counter."""

    holder: str
    number: str
    pin: str
    top_up_won: int


# Valid 16-digit numbers (Luhn) with the issuer's prefix 9410.
DEMO_CARDS = (
    DemoCard("shopper1", "9410000000000013", "1111", 500_000),
    DemoCard("shopper2", "9410000000000021", "2222", 300_000),
    DemoCard("shopper3", "9410000000000039", "3333", 1_000_000),
)


def load_cards(*, users: dict[str, User]) -> list[str]:
    """Issue each demo shopper's card and fund it with a cash top-up; return the numbers."""
    numbers = []
    for spec in DEMO_CARDS:
        holder = users[spec.holder]
        card = issue_card(
            holder=holder, phone=holder.phone, pin=spec.pin, number=spec.number
        )
        ledger.top_up(
            card_number=card.number,
            amount_won=spec.top_up_won,
            transfer_id=f"demo-top-up:{card.number}",
        )
        numbers.append(card.number)
    return numbers
