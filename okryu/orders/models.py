"""Orders, one fulfilment per merchant, their lines, the event log and daily purchase counts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from okryu.accounts.models import District
from okryu.catalog.models import Product
from okryu.merchants.models import Merchant
from okryu.orders.rules import Actor, FulfilmentStatus, OrderStatus

HOLD_TRANSFER_ID_LENGTH_MAX = 200
OPTIONS_TEXT_LENGTH_MAX = 300


class OrderStatusChoices(models.TextChoices):
    """The order's status as stored (it follows from its fulfilments')."""

    PLACED = OrderStatus.PLACED.value, _("주문 접수")
    IN_PROGRESS = OrderStatus.IN_PROGRESS.value, _("처리 중")
    COMPLETED = OrderStatus.COMPLETED.value, _("완료")
    CANCELLED = OrderStatus.CANCELLED.value, _("취소")


class FulfilmentStatusChoices(models.TextChoices):
    """One merchant's part of an order, as stored."""

    PLACED = FulfilmentStatus.PLACED.value, _("주문 접수")
    ACCEPTED = FulfilmentStatus.ACCEPTED.value, _("주문 확인")
    PREPARING = FulfilmentStatus.PREPARING.value, _("준비 중")
    READY = FulfilmentStatus.READY.value, _("준비 완료")
    OUT_FOR_DELIVERY = FulfilmentStatus.OUT_FOR_DELIVERY.value, _("배달 중")
    DELIVERED = FulfilmentStatus.DELIVERED.value, _("배달 완료")
    REJECTED = FulfilmentStatus.REJECTED.value, _("거절")
    CANCELLED = FulfilmentStatus.CANCELLED.value, _("취소")
    RETURNED = FulfilmentStatus.RETURNED.value, _("반품")


class PaymentMethodChoices(models.TextChoices):
    """How the shopper pays: the card held at checkout, or a chip card at the door."""

    CARD = "card", _("카드 (주문할 때)")
    DOOR = "door", _("문앞 결제")


class Order(models.Model):
    """A shopper's order: one payment, one address, one fulfilment per merchant.

    The card number is never stored; only its last four digits, for receipts.
    """

    NUMBER_LENGTH_MAX = 24
    DETAIL_LENGTH_MAX = 200

    number = models.CharField(max_length=NUMBER_LENGTH_MAX, unique=True)
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        max_length=20,
        choices=OrderStatusChoices.choices,
        default=OrderStatusChoices.PLACED,
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    address_detail = models.CharField(max_length=DETAIL_LENGTH_MAX)
    # Both null: as soon as possible.
    slot_starts_at = models.DateTimeField(null=True, blank=True)
    slot_ends_at = models.DateTimeField(null=True, blank=True)
    items_total_won = models.BigIntegerField()
    delivery_fee_won = models.BigIntegerField()
    total_won = models.BigIntegerField()
    payment_method = models.CharField(
        max_length=10,
        choices=PaymentMethodChoices.choices,
        default=PaymentMethodChoices.CARD,
    )
    card_last4 = models.CharField(max_length=4)
    # The card holder's phone at placement: where the order's SMS go.
    contact_phone = models.CharField(max_length=20)
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["shopper", "-placed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatusChoices.values),
                name="order_status_known",
            ),
            models.CheckConstraint(
                condition=Q(items_total_won__gt=0, delivery_fee_won__gte=0),
                name="order_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(total_won=F("items_total_won") + F("delivery_fee_won")),
                name="order_total_is_items_plus_fee",
            ),
            models.CheckConstraint(
                condition=Q(slot_starts_at__isnull=True, slot_ends_at__isnull=True)
                | Q(slot_ends_at__gt=F("slot_starts_at")),
                name="order_slot_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethodChoices.values),
                name="order_payment_method_known",
            ),
            # An order paid at the door names no card: the card is shown at the door.
            models.CheckConstraint(
                condition=~Q(payment_method=PaymentMethodChoices.DOOR)
                | Q(card_last4=""),
                name="order_door_names_no_card",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.number


class Fulfilment(models.Model):
    """One merchant's part of an order, moved through the state machine of ``rules``.

    Its money is two holds on the shopper's card, taken at placement: the items to the
    merchant's account and the delivery fee to the delivery fees account.
    ``captured_won`` is what delivery captured; ``refunded_won`` what a return gave back.
    Paid at the door, it holds nothing (both hold ids blank, no expiry job) and
    ``captured_won`` is what its accepted ``DoorPayment`` paid.
    """

    REASON_LENGTH_MAX = 200

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="fulfilments"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="fulfilments"
    )
    status = models.CharField(
        max_length=20,
        choices=FulfilmentStatusChoices.choices,
        default=FulfilmentStatusChoices.PLACED,
    )
    items_total_won = models.BigIntegerField()
    delivery_fee_won = models.BigIntegerField()
    weight_grams = models.BigIntegerField()
    distance_meters = models.IntegerField()
    # Blank when the order is paid at the door (nothing is held).
    items_hold_transfer_id = models.CharField(max_length=HOLD_TRANSFER_ID_LENGTH_MAX)
    # Blank when the fee is 0 (nothing to hold), or when paid at the door.
    fee_hold_transfer_id = models.CharField(
        max_length=HOLD_TRANSFER_ID_LENGTH_MAX, blank=True
    )
    # Paid at the door: the placement time, and no expiry job is queued.
    hold_expires_at = models.DateTimeField()
    captured_won = models.BigIntegerField(default=0)
    refunded_won = models.BigIntegerField(default=0)
    rejection_reason = models.CharField(max_length=REASON_LENGTH_MAX, blank=True)
    placed_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["merchant", "status", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "merchant"], name="fulfilment_one_per_merchant"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FulfilmentStatusChoices.values),
                name="fulfilment_status_known",
            ),
            models.CheckConstraint(
                condition=Q(
                    items_total_won__gt=0,
                    delivery_fee_won__gte=0,
                    weight_grams__gte=0,
                    distance_meters__gte=0,
                ),
                name="fulfilment_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(captured_won__gte=0)
                & Q(captured_won__lte=F("items_total_won") + F("delivery_fee_won")),
                name="fulfilment_captured_within_held",
            ),
            models.CheckConstraint(
                condition=Q(refunded_won__gte=0)
                & Q(refunded_won__lte=F("captured_won")),
                name="fulfilment_refunded_within_captured",
            ),
            models.CheckConstraint(
                condition=Q(delivery_fee_won=0)
                | ~Q(fee_hold_transfer_id="")
                | Q(items_hold_transfer_id=""),
                name="fulfilment_fee_has_hold",
            ),
            # Either both parts are held (a card order) or neither is (paid at the door).
            models.CheckConstraint(
                condition=~Q(items_hold_transfer_id="") | Q(fee_hold_transfer_id=""),
                name="fulfilment_no_fee_hold_without_items_hold",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.order_id}/{self.merchant_id} {self.status}"


class OrderLine(models.Model):
    """One product of a fulfilment, with its name and price as they were at placement."""

    fulfilment = models.ForeignKey(
        Fulfilment, on_delete=models.PROTECT, related_name="lines"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=Product.NAME_LENGTH_MAX)
    name_en = models.CharField(max_length=Product.NAME_LENGTH_MAX)
    unit_price_won = models.BigIntegerField()
    quantity = models.IntegerField()
    total_won = models.BigIntegerField()
    # The chosen options as they were at placement ("곱빼기, 계란 추가"; blank when none),
    # and their ids as the basket keyed them (okryu.catalog.options.options_key).
    options_text = models.CharField(
        max_length=OPTIONS_TEXT_LENGTH_MAX, blank=True, default=""
    )
    options_text_en = models.CharField(
        max_length=OPTIONS_TEXT_LENGTH_MAX, blank=True, default=""
    )
    options_key = models.CharField(max_length=100, blank=True, default="")
    # The day whose portions a dish's line took (okryu.catalog.portions); null when the
    # line reserved stock instead.
    portions_day = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price_won__gt=0), name="order_line_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(total_won=F("unit_price_won") * F("quantity")),
                name="order_line_total_is_price_times_quantity",
            ),
            models.UniqueConstraint(
                fields=["fulfilment", "product", "options_key"],
                name="order_line_product_options_once",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class FulfilmentEvent(models.Model):
    """One change of a fulfilment's status: who, when, from what to what. Append-only."""

    NOTE_LENGTH_MAX = 200

    fulfilment = models.ForeignKey(
        Fulfilment, on_delete=models.PROTECT, related_name="events"
    )
    # Blank for the first event (the placement).
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    # Null for the system (an expired hold).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20)
    note = models.CharField(max_length=NOTE_LENGTH_MAX, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=FulfilmentStatusChoices.values),
                name="fulfilment_event_status_known",
            ),
            models.CheckConstraint(
                condition=Q(actor_role__in=[actor.value for actor in Actor]),
                name="fulfilment_event_actor_known",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.fulfilment_id}: {self.from_status} → {self.to_status}"


class DailyPurchase(models.Model):
    """Units of one product a shopper ordered on one (Pyongyang) day, for the purchase limit.

    Kept as a counter row updated with a conditional UPDATE, so two concurrent orders of the
    same shopper cannot both pass the limit. Released orders give their units back.
    """

    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    quantity = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shopper", "product", "day"], name="daily_purchase_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="daily_purchase_not_negative"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.shopper_id}/{self.product_id} {self.day}: {self.quantity}"


class DoorPaymentStatus(models.TextChoices):
    """What became of the chip record taken at the door for a fulfilment."""

    # The card paid: the money is in the merchant's and the delivery fees accounts.
    ACCEPTED = "accepted", _("결제됨")
    # A record taken offline, the goods handed over, refused on upload: the loss, bounded
    # by the floor limit, is kept here (docs/adr/0005-pay-at-the-door.md).
    REFUSED_AFTER_HANDOVER = "refused", _("미결제 (오프라인 결제 거절)")


class DoorPayment(models.Model):
    """The payment of one fulfilment at the door: one per fulfilment, never edited.

    Keeps the card's last four digits and the record's MAC (which tells a replay of the
    same record from another record), never the card number.
    """

    MAC_LENGTH = 64
    CODE_LENGTH_MAX = 40

    fulfilment = models.OneToOneField(
        Fulfilment, on_delete=models.PROTECT, related_name="door_payment"
    )
    status = models.CharField(max_length=10, choices=DoorPaymentStatus.choices)
    amount_won = models.BigIntegerField()
    card_last4 = models.CharField(max_length=4)
    counter = models.BigIntegerField()
    mac = models.CharField(max_length=MAC_LENGTH, unique=True)
    is_offline = models.BooleanField()
    # The card to the fulfilment's merchant (its settlement account, named in the chip's MAC),
    # then the delivery fee on to the delivery fees account (``fee_transfer``; none when the
    # fee is 0). Payments recorded before the merchant was the payee went to the delivery fees
    # account first and moved the items on (``items_transfer``). All null when refused.
    chip_transfer = models.OneToOneField(
        "payments.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    items_transfer = models.OneToOneField(
        "payments.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fee_transfer = models.OneToOneField(
        "payments.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The issuer's refusal code of a record refused after the hand-over.
    refusal_code = models.CharField(max_length=CODE_LENGTH_MAX, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_won__gt=0), name="door_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    status=DoorPaymentStatus.ACCEPTED,
                    chip_transfer__isnull=False,
                    refusal_code="",
                )
                & (Q(items_transfer__isnull=True) | Q(fee_transfer__isnull=True))
                | Q(
                    status=DoorPaymentStatus.REFUSED_AFTER_HANDOVER,
                    chip_transfer__isnull=True,
                    items_transfer__isnull=True,
                    fee_transfer__isnull=True,
                    is_offline=True,
                )
                & ~Q(refusal_code=""),
                name="door_payment_outcome_consistent",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"door {self.fulfilment_id} {self.status} {self.amount_won}"


class DoorChallenge(models.Model):
    """A single-use challenge the issuer minted for one fulfilment paid at the door.

    The card signs over it, so a chip record is good for the fulfilment it was made for
    only: presented for another, or after it expired or was used, it is refused before the
    issuer sees it. Used by the record the issuer verified (accepted or refused).
    """

    HEX_LENGTH = 32

    fulfilment = models.ForeignKey(
        Fulfilment, on_delete=models.PROTECT, related_name="door_challenges"
    )
    challenge = models.CharField(max_length=HEX_LENGTH, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["fulfilment", "used_at", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="door_challenge_expires_after_minted",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"challenge of {self.fulfilment_id}"


class DoorLoss(models.Model):
    """An offline door record refused on upload: the logistics office's loss and the debt.

    The office took the card offline under its floor limit and the merchant delivered in good
    faith, so the items' share is booked from the office's door losses account to the
    merchant (``loss_transfer``); the card is blocked and its holder owes ``amount_won``. The
    shopper of the order may not order by door again until an operator clears it (after the
    debt was settled or written off).
    """

    NOTE_LENGTH_MAX = 200

    fulfilment = models.OneToOneField(
        Fulfilment, on_delete=models.PROTECT, related_name="door_loss"
    )
    door_payment = models.OneToOneField(
        DoorPayment, on_delete=models.PROTECT, related_name="loss"
    )
    card = models.ForeignKey(
        "payments.Card", on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="door_losses"
    )
    amount_won = models.BigIntegerField()
    loss_transfer = models.OneToOneField(
        "payments.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    clearing_note = models.CharField(max_length=NOTE_LENGTH_MAX, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shopper", "cleared_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_won__gt=0), name="door_loss_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True, cleared_by__isnull=True)
                | Q(cleared_at__isnull=False, cleared_by__isnull=False),
                name="door_loss_cleared_by_someone",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"door loss {self.fulfilment_id} {self.amount_won}"
