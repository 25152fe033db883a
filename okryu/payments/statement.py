"""A card's statement as a bank prints it: one line per purchase, pending holds apart.

Pure rule over the card's transfers (no ORM). A hold is an authorisation, not a charge: it is
listed under *pending* while neither captured nor released, and leaves the statement when
its capture (the charge) replaces it or when it is voided or expires (nothing was charged).
The transfers of one purchase — an order's items and delivery fee at one merchant, captured
together — make one line; the caller names each transfer's purchase (``Purchase``), since
the card issuer knows money, not orders. A refund is its own line, linked to the purchase
it gives back.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class LineKind(StrEnum):
    """What a statement line is."""

    PENDING = "pending"  # A hold still waiting: authorised, not charged.
    CAPTURE = "capture"  # A purchase charged at delivery.
    SINGLE = "single"  # A payment or a top-up, moved at once.
    REFUND = "refund"  # Money given back for a purchase.


@dataclass(frozen=True)
class StatementTransfer:
    """One transfer of the card, as the statement needs it.

    ``origin`` is the transfer id the purchase started with: a capture's, void's or
    expiry's hold; a refund's original (or that one's hold); else the transfer itself.
    ``resolved`` is set on a hold that was captured, voided or has expired.
    """

    transfer_id: str
    kind: str
    is_in: bool
    amount_won: int
    created_at: dt.datetime
    reference: str
    origin: str
    resolved: bool = False


@dataclass(frozen=True)
class Purchase:
    """Who and what a transfer paid for: an order's part at one merchant, or a merchant's
    QR request (``order`` None)."""

    order: str | None
    merchant: str
    merchant_en: str


@dataclass(frozen=True)
class StatementLine:
    """One line of the statement.

    ``id`` is stable: its first transfer's id. ``refund_of`` is the id of the purchase line
    a refund gives back (None for other lines, or when that purchase is not on it).
    """

    id: str
    kind: LineKind
    is_in: bool
    amount_won: int
    created_at: dt.datetime
    reference: str
    purchase: Purchase | None
    transfer_ids: tuple[str, ...]
    refund_of: str | None = None


@dataclass(frozen=True)
class Statement:
    """The pending holds apart, and the lines that moved money, both newest first."""

    pending: tuple[StatementLine, ...]
    lines: tuple[StatementLine, ...]


_LISTED_KINDS = {
    "hold": LineKind.PENDING,
    "capture": LineKind.CAPTURE,
    "single": LineKind.SINGLE,
    "refund": LineKind.REFUND,
}


def build_statement(
    transfers: Sequence[StatementTransfer], purchases: Mapping[str, Purchase]
) -> Statement:
    """Group ``transfers`` into a statement; ``purchases`` names purchases by origin id.

    Resolved holds, voids and expiries are left out. Holds (and captures) of one purchase,
    in the same direction, make one line; a transfer without a purchase is a line of its
    own. Amounts are kept whole: the lines' sum in minus out is the money the card moved.
    """
    groups: dict[tuple[LineKind, bool, str], list[StatementTransfer]] = {}
    for transfer in sorted(transfers, key=lambda t: (t.created_at, t.transfer_id)):
        kind = _LISTED_KINDS.get(transfer.kind)
        if kind is None or (kind == LineKind.PENDING and transfer.resolved):
            continue
        purchase = purchases.get(transfer.origin)
        # A purchase's refunds stay apart from each other: each was given back on its own.
        joins = purchase is not None and kind != LineKind.REFUND
        key = _purchase_key(purchase) if joins else transfer.transfer_id
        groups.setdefault((kind, transfer.is_in, key), []).append(transfer)
    lines = [
        _line(kind, is_in=is_in, members=members, purchases=purchases)
        for (kind, is_in, _key), members in groups.items()
    ]
    purchase_line = {
        _purchase_key(line.purchase): line.id
        for line in lines
        if line.kind == LineKind.CAPTURE and line.purchase is not None
    }
    linked = [
        _with_refund_link(line, purchase_line) if line.kind == LineKind.REFUND else line
        for line in lines
    ]
    newest_first = sorted(
        linked, key=lambda line: (line.created_at, line.id), reverse=True
    )
    return Statement(
        pending=tuple(line for line in newest_first if line.kind == LineKind.PENDING),
        lines=tuple(line for line in newest_first if line.kind != LineKind.PENDING),
    )


def _purchase_key(purchase: Purchase | None) -> str:
    assert purchase is not None
    return f"{purchase.order}\n{purchase.merchant}"


def _line(
    kind: LineKind,
    *,
    is_in: bool,
    members: list[StatementTransfer],
    purchases: Mapping[str, Purchase],
) -> StatementLine:
    first = members[0]
    return StatementLine(
        id=first.transfer_id,
        kind=kind,
        is_in=is_in,
        amount_won=sum(member.amount_won for member in members),
        created_at=max(member.created_at for member in members),
        reference=first.reference,
        purchase=purchases.get(first.origin),
        transfer_ids=tuple(member.transfer_id for member in members),
    )


def _with_refund_link(
    line: StatementLine, purchase_line: Mapping[str, str]
) -> StatementLine:
    if line.purchase is None:
        return line
    return StatementLine(
        id=line.id,
        kind=line.kind,
        is_in=line.is_in,
        amount_won=line.amount_won,
        created_at=line.created_at,
        reference=line.reference,
        purchase=line.purchase,
        transfer_ids=line.transfer_ids,
        refund_of=purchase_line.get(_purchase_key(line.purchase)),
    )
