"""The bank counter's controls: who may act on which card, four eyes, limits and cash drawers.

Every teller action goes through here with the person acting, so that nobody inside can mint,
redirect or pocket money:

- nobody acts at the counter on a card they hold themselves (403 ``own_card``);
- a cash top-up is taken through the teller's open drawer of the day (409 ``drawer_closed``),
  up to ``OKRYU_TOPUP_MAX_WON`` each (422 ``topup_too_large``) and ``OKRYU_TELLER_DAILY_WON`` a
  day (409 ``teller_limit``, counted by one conditional UPDATE of the drawer);
- above ``OKRYU_TOPUP_APPROVAL_WON`` it waits for a supervisor other than the teller (403
  ``same_person``), who approves (booked then) or rejects it; the decision is one conditional
  UPDATE of the pending row, so of any number of decisions at once exactly one takes effect,
  and the booking's transfer id is fixed when the cash is taken, so the ledger moves once;
- a second card for a holder needs a reason (409 ``second_card``);
- closing a drawer records the cash counted and its difference to what the ledger booked
  through it (a difference needs a note); the audit (``counter_audit``) recomputes the rest;
- each issue, block, unblock and PIN reset is one transaction that also adds a line naming
  the teller to the card's journal (``card_events``), so a refused action leaves none.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.core import clock
from okryu.core.errors import IdempotencyKeyReused, InvalidInput, PermissionDenied
from okryu.core.transactions import service_transaction
from okryu.notifications.outbox import queue_sms
from okryu.payments import ledger
from okryu.payments.cards import (
    block_card,
    check_card_number,
    get_card_for_update,
    issue_card,
    reset_pin,
    unblock_card,
)
from okryu.payments.errors import (
    AlreadyDecided,
    ApprovalsPending,
    CardNotFound,
    DrawerAlreadyClosed,
    DrawerClosed,
    DrawerOpen,
    OwnCard,
    SamePerson,
    SecondCardNeedsReason,
    TellerLimit,
    TopUpNotFound,
    TopUpTooLarge,
)
from okryu.payments.ledger.engine import check_transfer_id
from okryu.payments.ledger.transfers import check_amount
from okryu.payments.models import (
    Card,
    CardStatus,
    CashDrawer,
    CashDrawerStatus,
    CounterTopUp,
    CounterTopUpStatus,
    Transfer,
)

ISSUE_REASON_LENGTH_MAX = 200
COUNTED_WON_MAX = 10**15
OWN_CARD_DETAIL = (
    "본인이 가진 카드는 창구에서 처리할 수 없습니다. 다른 은행원에게 맡기십시오."
)


def _require(user: User, role: Role) -> None:
    if not has_role(user, role):
        raise PermissionDenied(f"This needs the {role.value} role.", role=role.value)


def _check_not_own(card: Card, user: User) -> None:
    if card.holder_id == user.pk:
        raise OwnCard(OWN_CARD_DETAIL)


# Cards at the counter.


def issue_card_at_counter(
    *, teller: User, holder: User, phone: str, pin: str, reason: str = ""
) -> Card:
    """Issue a card to ``holder``; a holder who already has one needs ``reason``."""
    _require(teller, Role.TELLER)
    if holder.pk == teller.pk:
        raise OwnCard(OWN_CARD_DETAIL)
    reason = reason.strip()
    if len(reason) > ISSUE_REASON_LENGTH_MAX:
        raise InvalidInput("사유는 200자까지입니다.", field="reason")
    return _issue_card_at_counter(
        teller=teller, holder=holder, phone=phone, pin=pin, reason=reason
    )


@service_transaction(durable=False)
def _issue_card_at_counter(
    *, teller: User, holder: User, phone: str, pin: str, reason: str
) -> Card:
    held = (
        Card.objects.filter(holder=holder, expires_on__gte=clock.local_today())
        .exclude(status=CardStatus.EXPIRED)
        .order_by("-created_at")
        .first()
    )
    if held is not None and not reason:
        raise SecondCardNeedsReason(
            f"이 사람은 이미 카드 {held.masked_number}을(를) 가지고 있습니다. "
            "새 카드를 발급하는 사유를 적으십시오.",
            card=held.masked_number,
            field="reason",
        )
    card = issue_card(
        holder=holder, phone=phone, pin=pin, issued_by=teller, reason=reason
    )
    assert card.issue_reason == reason
    return card


def _card_for_counter(card_number: str, user: User) -> Card:
    check_card_number(card_number)
    card = Card.objects.filter(number=card_number).first()
    if card is None:
        raise CardNotFound("카드를 찾을 수 없습니다.")
    _check_not_own(card, user)
    return card


@service_transaction(durable=False)
def block_card_at_counter(*, teller: User, card_number: str, reason: str) -> Card:
    """Block a card (not one the teller holds); the journal names the teller."""
    _require(teller, Role.TELLER)
    _card_for_counter(card_number, teller)
    return block_card(card_number=card_number, reason=reason, actor=teller)


@service_transaction(durable=False)
def unblock_card_at_counter(*, teller: User, card_number: str) -> Card:
    """Unblock a card (not one the teller holds); the journal names the teller."""
    _require(teller, Role.TELLER)
    _card_for_counter(card_number, teller)
    return unblock_card(card_number=card_number, actor=teller)


def reset_pin_at_counter(*, teller: User, card_number: str, new_pin: str) -> Card:
    """Set a new PIN (not on a card the teller holds) and tell the card's phone at once.

    A new PIN lets whoever knows it spend the card: the holder learns of it by SMS in the
    same commit, so a reset they did not ask for at the counter does not go unnoticed, and
    the card's journal names the teller who did it.
    """
    _require(teller, Role.TELLER)
    return _reset_pin_at_counter(
        teller=teller, card_number=card_number, new_pin=new_pin
    )


@service_transaction(durable=False)
def _reset_pin_at_counter(*, teller: User, card_number: str, new_pin: str) -> Card:
    _card_for_counter(card_number, teller)
    card = reset_pin(card_number=card_number, new_pin=new_pin, actor=teller)
    queue_sms(
        phone=card.phone,
        body=(
            f"[옥류] 카드 ****{card.number[-4:]}의 비밀번호를 은행 창구에서 "
            "바꾸었습니다. 본인이 바꾼 것이 아니면 곧 은행에 알리십시오."
        ),
    )
    return card


# Cash drawers.


def get_open_drawer(*, teller: User) -> CashDrawer | None:
    """Return the teller's open drawer of today, or None."""
    return CashDrawer.objects.filter(
        teller=teller, day=clock.local_today(), status=CashDrawerStatus.OPEN
    ).first()


@service_transaction(durable=False)
def open_drawer(*, teller: User) -> CashDrawer:
    """Open the teller's drawer for today (again: the open one is returned)."""
    _require(teller, Role.TELLER)
    today = clock.local_today()
    drawer = CashDrawer.objects.filter(teller=teller, day=today).first()
    if drawer is not None:
        if drawer.status == CashDrawerStatus.CLOSED:
            raise DrawerAlreadyClosed("오늘의 금고는 이미 정산해 닫았습니다.")
        return drawer
    earlier = CashDrawer.objects.filter(
        teller=teller, status=CashDrawerStatus.OPEN
    ).first()
    if earlier is not None:
        raise DrawerOpen(
            f"{earlier.day:%Y-%m-%d}의 금고가 아직 열려 있습니다. 먼저 정산해 닫으십시오.",
            day=earlier.day.isoformat(),
        )
    try:
        with transaction.atomic():  # A savepoint, to read the concurrent one after.
            return CashDrawer.objects.create(
                teller=teller, day=today, opened_at=clock.now()
            )
    except IntegrityError:  # Opened by a concurrent request.
        return CashDrawer.objects.get(teller=teller, day=today)


def close_drawer(*, teller: User, counted_won: int, note: str = "") -> CashDrawer:
    """Count and close the teller's open drawer; a difference to the ledger needs a note."""
    _require(teller, Role.TELLER)
    if not 0 <= counted_won <= COUNTED_WON_MAX:
        raise InvalidInput("센 현금은 0원 이상의 정수입니다.", field="counted")
    note = note.strip()
    if len(note) > CashDrawer.NOTE_LENGTH_MAX:
        raise InvalidInput("메모는 300자까지입니다.", field="note")
    return _close_drawer(teller=teller, counted_won=counted_won, note=note)


@service_transaction(durable=False)
def _close_drawer(*, teller: User, counted_won: int, note: str) -> CashDrawer:
    drawer = (
        CashDrawer.objects.select_for_update()
        .filter(teller=teller, status=CashDrawerStatus.OPEN)
        .first()
    )
    if drawer is None:
        raise DrawerClosed("열린 금고가 없습니다.")
    if drawer.top_ups.filter(status=CounterTopUpStatus.PENDING_APPROVAL).exists():
        raise ApprovalsPending(
            "감독원의 승인을 기다리는 입금이 있어 금고를 닫을 수 없습니다."
        )
    difference_won = counted_won - drawer.booked_won
    if difference_won and not note:
        raise InvalidInput(
            f"센 현금이 장부와 {difference_won:+,}원 다릅니다. 까닭을 메모로 남기십시오.",
            field="note",
        )
    closed = CashDrawer.objects.filter(
        pk=drawer.pk,
        status=CashDrawerStatus.OPEN,
        booked_won=drawer.booked_won,
    ).update(
        status=CashDrawerStatus.CLOSED,
        counted_won=counted_won,
        difference_won=difference_won,
        note=note,
        closed_at=clock.now(),
    )
    if not closed:
        raise DrawerClosed("금고가 방금 바뀌었습니다. 다시 세어 주십시오.")
    drawer.refresh_from_db()
    return drawer


# Cash top-ups.


def take_top_up(
    *, teller: User, card_number: str, amount_won: int, transfer_id: str
) -> CounterTopUp:
    """Take cash in for a card through the teller's drawer; book it, or queue it for approval.

    Idempotent by ``transfer_id`` (the same id for another card or amount is refused).
    """
    _require(teller, Role.TELLER)
    check_card_number(card_number)
    check_amount(amount_won)
    check_transfer_id(transfer_id)
    maximum_won = settings.OKRYU_TOPUP_MAX_WON
    if amount_won > maximum_won:
        raise TopUpTooLarge(
            f"한 번에 입금할 수 있는 금액은 {maximum_won:,}원까지입니다.",
            maximum=maximum_won,
            field="amount_won",
        )
    earlier = _earlier_top_up(transfer_id, card_number, amount_won)
    if earlier is not None:
        return earlier
    try:
        return _take_top_up(teller, card_number, amount_won, transfer_id)
    except IntegrityError:
        earlier = _earlier_top_up(transfer_id, card_number, amount_won)
        if earlier is None:
            raise
        return earlier  # Taken by a concurrent retry of the same request.


def _earlier_top_up(
    transfer_id: str, card_number: str, amount_won: int
) -> CounterTopUp | None:
    earlier = (
        CounterTopUp.objects.select_related("card")
        .filter(booking_transfer_id=transfer_id)
        .first()
    )
    if earlier is None:
        return None
    if earlier.card.number != card_number or earlier.amount_won != amount_won:
        raise IdempotencyKeyReused("같은 요청 번호로 다른 입금을 할 수 없습니다.")
    return earlier


@service_transaction(durable=False)
def _take_top_up(
    teller: User, card_number: str, amount_won: int, transfer_id: str
) -> CounterTopUp:
    card = get_card_for_update(card_number)
    _check_not_own(card, teller)
    drawer = get_open_drawer(teller=teller)
    if drawer is None:
        raise DrawerClosed(
            "오늘의 금고를 먼저 여십시오. 현금은 열린 금고로만 받습니다."
        )
    limit_won = settings.OKRYU_TELLER_DAILY_WON
    # One statement decides the limit, so concurrent top-ups cannot pass it together.
    taken = CashDrawer.objects.filter(
        pk=drawer.pk,
        status=CashDrawerStatus.OPEN,
        taken_won__lte=limit_won - amount_won,
    ).update(taken_won=F("taken_won") + amount_won)
    if not taken:
        drawer.refresh_from_db()
        if drawer.status != CashDrawerStatus.OPEN:
            raise DrawerClosed("금고가 닫혔습니다.")
        raise TellerLimit(
            f"오늘 받은 현금이 은행원 하루 한도 {limit_won:,}원을 넘습니다 "
            f"(지금까지 {drawer.taken_won:,}원).",
            taken_today=drawer.taken_won,
            limit=limit_won,
        )
    needs_approval = amount_won > settings.OKRYU_TOPUP_APPROVAL_WON
    top_up = CounterTopUp(
        booking_transfer_id=transfer_id,
        card=card,
        drawer=drawer,
        requested_by=teller,
        amount_won=amount_won,
        status=CounterTopUpStatus.PENDING_APPROVAL
        if needs_approval
        else CounterTopUpStatus.BOOKED,
        created_at=clock.now(),
    )
    if not needs_approval:
        top_up.transfer = _book(top_up)
    top_up.save(force_insert=True)
    return top_up


def _book(top_up: CounterTopUp) -> Transfer:
    transfer = ledger.top_up(
        card_number=top_up.card.number,
        amount_won=top_up.amount_won,
        transfer_id=top_up.booking_transfer_id,
    )
    booked = CashDrawer.objects.filter(
        pk=top_up.drawer_id, status=CashDrawerStatus.OPEN
    ).update(booked_won=F("booked_won") + top_up.amount_won)
    assert booked == 1, "a drawer with cash awaiting approval cannot be closed"
    return transfer


def approve_top_up(*, supervisor: User, top_up_id: int) -> CounterTopUp:
    """Book a top-up waiting for approval, once, by a supervisor other than its teller."""
    _require(supervisor, Role.SUPERVISOR)
    return _approve(supervisor, top_up_id)


@service_transaction(durable=False)
def _approve(supervisor: User, top_up_id: int) -> CounterTopUp:
    top_up = _pending_for_decision(supervisor, top_up_id)
    top_up.transfer = _book(top_up)
    decided = CounterTopUp.objects.filter(
        pk=top_up.pk, status=CounterTopUpStatus.PENDING_APPROVAL
    ).update(
        status=CounterTopUpStatus.APPROVED,
        decided_by=supervisor,
        decided_at=clock.now(),
        transfer=top_up.transfer,
    )
    if not decided:  # Undoes the booking with the rest of the transaction.
        raise _already_decided(top_up.pk)
    top_up.refresh_from_db()
    return top_up


def reject_top_up(
    *, supervisor: User, top_up_id: int, reason: str = ""
) -> CounterTopUp:
    """Refuse a top-up waiting for approval: nothing is booked, the cash is handed back."""
    _require(supervisor, Role.SUPERVISOR)
    reason = reason.strip()
    if len(reason) > CounterTopUp.REASON_LENGTH_MAX:
        raise InvalidInput("사유는 200자까지입니다.", field="reason")
    return _reject(supervisor, top_up_id, reason)


@service_transaction(durable=False)
def _reject(supervisor: User, top_up_id: int, reason: str) -> CounterTopUp:
    top_up = _pending_for_decision(supervisor, top_up_id)
    decided = CounterTopUp.objects.filter(
        pk=top_up.pk, status=CounterTopUpStatus.PENDING_APPROVAL
    ).update(
        status=CounterTopUpStatus.REJECTED,
        decided_by=supervisor,
        decided_at=clock.now(),
        rejection_reason=reason,
    )
    if not decided:
        raise _already_decided(top_up.pk)
    CashDrawer.objects.filter(pk=top_up.drawer_id).update(
        taken_won=F("taken_won") - top_up.amount_won
    )
    top_up.refresh_from_db()
    return top_up


def _pending_for_decision(supervisor: User, top_up_id: int) -> CounterTopUp:
    top_up = (
        # Locks the row on PostgreSQL, so concurrent decisions queue here; the conditional
        # UPDATE after it decides on SQLite, where this lock is a no-op.
        CounterTopUp.objects.select_for_update(of=("self",))
        .select_related("card")
        .filter(pk=top_up_id)
        .first()
    )
    if top_up is None:
        raise TopUpNotFound("그런 입금 요청이 없습니다.")
    if top_up.requested_by_id == supervisor.pk:
        raise SamePerson("자기가 받은 입금은 다른 감독원이 승인해야 합니다.")
    _check_not_own(top_up.card, supervisor)
    if top_up.status != CounterTopUpStatus.PENDING_APPROVAL:
        raise _already_decided(top_up.pk)
    return top_up


def _already_decided(top_up_id: int) -> AlreadyDecided:
    status = CounterTopUp.objects.values_list("status", flat=True).get(pk=top_up_id)
    return AlreadyDecided("이미 승인되었거나 거절된 입금입니다.", status=status)
