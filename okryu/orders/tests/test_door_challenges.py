"""A door payment is bound to its parcel: the issuer mints a single-use, expiring challenge per
fulfilment, the card signs over it and pays the fulfilment's merchant. An offline record
refused on upload is the logistics office's loss, the card is blocked and the holder owes it.
"""

import datetime as dt

import pytest
import time_machine

from okryu.accounts.models import Role, RoleGrant
from okryu.catalog.audit import audit_stock
from okryu.core import clock
from okryu.core.errors import DomainError, PermissionDenied
from okryu.notifications.models import OutboxMessage
from okryu.orders.audit import audit_orders
from okryu.orders.errors import (
    ChallengeExpired,
    ChallengeMismatch,
    ChallengeUsed,
    OwnDoorLoss,
)
from okryu.orders.models import DoorChallenge, DoorLoss, DoorPayment, Fulfilment
from okryu.orders.services import (
    accept_fulfilment,
    mark_ready,
    place_order,
    send_out,
    start_preparing,
)
from okryu.orders.services.door import door_challenge, pay_at_the_door
from okryu.orders.services.door_losses import (
    clear_door_loss,
    has_uncleared_door_loss,
    list_door_losses,
)
from okryu.orders.tests.builders import account_of, make_user_with_role, snapshot
from okryu.orders.tests.door_support import (
    DUE_WON,
    FEE_WON,
    PRICE_WON,
    QUANTITY,
    DoorWorld,
    door_checkout_request,
    door_record,
    make_door_world,
    signed_record,
)
from okryu.payments import ledger
from okryu.payments.audit import audit_ledger
from okryu.payments.counter_services import unblock_card_at_counter
from okryu.payments.errors import DoorDebtOpen
from okryu.payments.models import Card, ChipUse, Transfer, TransferKind

pytestmark = pytest.mark.django_db

ITEMS_WON = QUANTITY * PRICE_WON


@pytest.fixture
def world() -> DoorWorld:
    return make_door_world()


def _audits_clean() -> None:
    assert audit_orders().violations == 0, audit_orders()
    assert audit_stock().is_clean
    assert audit_ledger().violations == 0


def _pay(world: DoorWorld, fulfilment_id: int, record, *, key: str, offline=False):
    return pay_at_the_door(
        actor_user_id=world.courier.pk,
        fulfilment_id=fulfilment_id,
        record=door_record(record, offline=offline),
        idempotency_key=key,
    )


def _second_parcel(world: DoorWorld) -> Fulfilment:
    """Another door order of the same shopper, merchant, product and amount, out for delivery."""
    placed = place_order(
        shopper_id=world.shopper.pk,
        checkout=door_checkout_request(world.card, [(world.product, QUANTITY)]),
        idempotency_key="door-order-b",
    )
    fulfilment = Fulfilment.objects.get(order_id=placed.order_id)
    for move in (accept_fulfilment, start_preparing, mark_ready):
        move(staff_user_id=world.staff.pk, fulfilment_id=fulfilment.pk)
    send_out(actor_user_id=world.courier.pk, fulfilment_id=fulfilment.pk)
    return Fulfilment.objects.get(pk=fulfilment.pk)


def _issuer_state() -> dict[str, object]:
    """What the issuer keeps of a record it saw: used counters and challenges."""
    return {
        "chip_uses": ChipUse.objects.count(),
        "used_challenges": DoorChallenge.objects.filter(used_at__isnull=False).count(),
        "door_payments": DoorPayment.objects.count(),
    }


def test_a_record_made_for_one_parcel_is_refused_for_another_of_the_same_amount(
    world,
):
    parcel_a = world.fulfilment
    parcel_b = _second_parcel(world)
    assert (
        parcel_b.items_total_won + parcel_b.delivery_fee_won
        == parcel_a.items_total_won + parcel_a.delivery_fee_won
    )
    record = signed_record(world.chip, fulfilment_id=parcel_a.pk)
    before, issuer_before = snapshot(), _issuer_state()

    with pytest.raises(ChallengeMismatch) as refused:
        _pay(world, parcel_b.pk, record, key="at-b")
    after_refusal, issuer_after_refusal = snapshot(), _issuer_state()
    paid = _pay(world, parcel_a.pk, record, key="at-a")
    with pytest.raises(DomainError) as replayed:
        _pay(world, parcel_a.pk, record, key="at-a-again")
    with pytest.raises(ChallengeMismatch):
        _pay(world, parcel_b.pk, record, key="at-b-again")

    assert (refused.value.status, refused.value.code) == (409, "challenge_mismatch")
    assert after_refusal == before  # balances, holds, ledger rows, stock, keys
    assert issuer_after_refusal == issuer_before
    assert paid.body["fulfilment"] == parcel_a.pk
    assert replayed.value.code == "chip_replay"
    assert Fulfilment.objects.get(pk=parcel_b.pk).captured_won == 0
    assert account_of(world.card.ledger_account_id) == (20_000 - DUE_WON, 0)
    assert DoorPayment.objects.get().fulfilment_id == parcel_a.pk
    _audits_clean()


def test_the_card_pays_the_parcels_merchant_which_passes_the_fee_on(world):
    fees_before = account_of(ledger.open_delivery_fees_account().pk)

    _pay(
        world,
        world.fulfilment.pk,
        signed_record(world.chip, fulfilment_id=world.fulfilment.pk),
        key="pay",
    )

    payment = DoorPayment.objects.select_related("chip_transfer").get()
    world.merchant.refresh_from_db()
    assert payment.chip_transfer is not None
    assert payment.chip_transfer.credit_account_id == world.merchant.ledger_account_id
    assert account_of(world.merchant.ledger_account_id) == (ITEMS_WON, 0)
    assert account_of(ledger.open_delivery_fees_account().pk) == (
        fees_before[0] + FEE_WON,
        0,
    )
    _audits_clean()


def test_a_record_naming_another_merchant_as_payee_does_not_verify(world):
    other = make_door_world()
    record = signed_record(
        world.chip,
        fulfilment_id=world.fulfilment.pk,
        payee_account_id=ledger.open_delivery_fees_account().pk,
    )
    before = snapshot()

    with pytest.raises(DomainError) as refused:
        _pay(world, world.fulfilment.pk, record, key="pay")

    assert refused.value.code == "chip_invalid"
    assert snapshot() == before
    assert other.fulfilment.captured_won == 0


def test_a_challenge_the_issuer_verified_once_is_used_up_and_a_new_one_is_minted():
    world = make_door_world(balance_won=DUE_WON - 1)
    challenge = door_challenge(fulfilment_id=world.fulfilment.pk).challenge
    with pytest.raises(DomainError) as no_funds:
        _pay(
            world,
            world.fulfilment.pk,
            signed_record(
                world.chip, fulfilment_id=world.fulfilment.pk, challenge=challenge
            ),
            key="first",
        )
    before, issuer_before = snapshot(), _issuer_state()

    with pytest.raises(ChallengeUsed) as refused:
        _pay(
            world,
            world.fulfilment.pk,
            signed_record(
                world.chip, fulfilment_id=world.fulfilment.pk, challenge=challenge
            ),
            key="second",
        )

    assert no_funds.value.code == "insufficient_funds"
    assert (refused.value.status, refused.value.code) == (409, "challenge_used")
    assert (snapshot(), _issuer_state()) == (before, issuer_before)
    assert door_challenge(fulfilment_id=world.fulfilment.pk).challenge != challenge


def test_an_expired_challenge_is_refused_and_changes_nothing(world, settings):
    record = signed_record(world.chip, fulfilment_id=world.fulfilment.pk)
    later = clock.now() + dt.timedelta(
        minutes=settings.OKRYU_DOOR_CHALLENGE_MINUTES, seconds=1
    )
    before, issuer_before = snapshot(), _issuer_state()

    with (
        time_machine.travel(later, tick=False),
        pytest.raises(ChallengeExpired) as refused,
    ):
        _pay(world, world.fulfilment.pk, record, key="late")

    assert (refused.value.status, refused.value.code) == (409, "challenge_expired")
    assert (snapshot(), _issuer_state()) == (before, issuer_before)


def test_a_challenge_the_issuer_never_minted_is_a_mismatch(world):
    record = signed_record(
        world.chip, fulfilment_id=world.fulfilment.pk, challenge="ab" * 16
    )
    before = snapshot()

    with pytest.raises(ChallengeMismatch):
        _pay(world, world.fulfilment.pk, record, key="made-up")

    assert snapshot() == before


def test_an_offline_record_refused_on_upload_is_booked_to_the_offices_loss_and_blocks_the_card():
    world = make_door_world(balance_won=DUE_WON - 1)
    losses_before = account_of(ledger.open_door_losses_account().pk)
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=door_challenge(fulfilment_id=world.fulfilment.pk).challenge,
    )

    with pytest.raises(DomainError) as refused:
        _pay(world, world.fulfilment.pk, record, key="upload", offline=True)

    assert refused.value.code == "insufficient_funds"
    assert refused.value.extra["unpaid_recorded"] is True
    loss = DoorLoss.objects.select_related("loss_transfer").get()
    card = Card.objects.get(pk=world.card.pk)
    world.merchant.refresh_from_db()
    assert world.merchant.ledger_account_id is not None
    assert (loss.amount_won, loss.holder_id, loss.shopper_id) == (
        DUE_WON,
        card.holder_id,
        world.shopper.pk,
    )
    assert (card.status, card.blocked_reason) == ("blocked", "door_debt")
    assert account_of(ledger.open_door_losses_account().pk) == (
        losses_before[0] - ITEMS_WON,
        0,
    )
    assert account_of(world.merchant.ledger_account_id) == (ITEMS_WON, 0)
    assert account_of(world.card.ledger_account_id) == (DUE_WON - 1, 0)
    assert loss.loss_transfer is not None
    assert loss.loss_transfer.kind == TransferKind.SINGLE
    assert has_uncleared_door_loss(world.shopper.pk)
    told = OutboxMessage.objects.order_by("-pk").first()
    assert told is not None
    assert told.phone == card.phone
    assert world.fulfilment.order.number in told.body
    assert world.merchant.name in told.body
    assert audit_orders().unpaid_door_handovers == 1
    _audits_clean()


def test_the_supervisor_sees_the_loss_and_only_an_operator_clears_it():
    world = make_door_world(balance_won=DUE_WON - 1)
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=door_challenge(fulfilment_id=world.fulfilment.pk).challenge,
    )
    with pytest.raises(DomainError):
        _pay(world, world.fulfilment.pk, record, key="upload", offline=True)
    supervisor = make_user_with_role(Role.SUPERVISOR)
    operator = make_user_with_role(Role.OPERATOR)
    loss = DoorLoss.objects.get()

    seen = list_door_losses(
        actor_user_id=supervisor.pk, open_only=True, limit=10, offset=0
    )
    with pytest.raises(PermissionDenied):
        list_door_losses(
            actor_user_id=world.courier.pk, open_only=True, limit=10, offset=0
        )
    transfers_before = Transfer.objects.count()
    with pytest.raises(PermissionDenied):
        clear_door_loss(operator_user_id=supervisor.pk, loss_id=loss.pk, note="paid")
    still_open = has_uncleared_door_loss(world.shopper.pk)
    cleared = clear_door_loss(
        operator_user_id=operator.pk, loss_id=loss.pk, note="카운터에서 갚음"
    )

    assert seen.count == 1
    assert seen.items[0]["order_number"] == world.fulfilment.order.number
    assert seen.items[0]["merchant"] == world.merchant.name
    assert seen.items[0]["amount"] == DUE_WON
    assert still_open
    assert cleared.cleared_by_id == operator.pk
    assert not has_uncleared_door_loss(world.shopper.pk)
    assert Transfer.objects.count() == transfers_before
    assert (
        list_door_losses(
            actor_user_id=supervisor.pk, open_only=True, limit=10, offset=0
        ).count
        == 0
    )
    _audits_clean()


def _door_loss(world: DoorWorld) -> DoorLoss:
    """Upload an offline record the card cannot pay: a loss, the card blocked for the debt."""
    record = world.terminal.take_payment(
        world.chip,
        amount_won=DUE_WON,
        online=False,
        challenge=door_challenge(fulfilment_id=world.fulfilment.pk).challenge,
    )
    with pytest.raises(DomainError):
        _pay(world, world.fulfilment.pk, record, key="upload", offline=True)
    return DoorLoss.objects.get()


def test_a_card_blocked_for_a_debt_at_the_door_opens_at_the_counter_only_once_it_is_cleared():
    world = make_door_world(balance_won=DUE_WON - 1)
    loss = _door_loss(world)
    teller = make_user_with_role(Role.TELLER)
    operator = make_user_with_role(Role.OPERATOR)

    with pytest.raises(DoorDebtOpen):
        unblock_card_at_counter(teller=teller, card_number=world.card.number)
    refused = Card.objects.get(pk=world.card.pk)
    clear_door_loss(
        operator_user_id=operator.pk, loss_id=loss.pk, note="카운터에서 갚음"
    )
    cleared = Card.objects.get(pk=world.card.pk)
    unblocked = unblock_card_at_counter(teller=teller, card_number=world.card.number)

    assert (refused.status, refused.blocked_reason) == ("blocked", "door_debt")
    assert (cleared.status, cleared.blocked_reason) == ("blocked", "door_debt_cleared")
    assert (unblocked.status, unblocked.blocked_reason) == ("active", "")
    _audits_clean()


def test_an_operator_cannot_clear_a_loss_at_the_door_they_owe_themselves():
    world = make_door_world(balance_won=DUE_WON - 1)
    loss = _door_loss(world)
    RoleGrant.objects.create(user=world.shopper, role=Role.OPERATOR)

    with pytest.raises(OwnDoorLoss):
        clear_door_loss(operator_user_id=world.shopper.pk, loss_id=loss.pk, note="갚음")

    loss.refresh_from_db()
    card = Card.objects.get(pk=world.card.pk)
    assert loss.cleared_at is None
    assert has_uncleared_door_loss(world.shopper.pk)
    assert (card.status, card.blocked_reason) == ("blocked", "door_debt")
