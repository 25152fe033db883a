"""Ledger accounts, immutable transfers, cards and their journal of events, chip uses, QR
payment requests, and the bank counter's cash drawers and top-ups."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy
from typing_extensions import override


class LedgerAccountKind(models.TextChoices):
    """Whose money a ledger account holds."""

    SHOPPER = "shopper", "shopper"
    MERCHANT = "merchant", "merchant"
    BANK_CASH = "bank_cash", "bank cash"
    DELIVERY_FEES = "delivery_fees", "delivery fees"


class LedgerAccount(models.Model):
    """One account of the double-entry ledger; its balance is cached from its transfers.

    ``held_won`` is the sum of its pending holds; ``balance_won - held_won`` is what it may
    still spend. The bank's cash account goes negative by what was paid in at the counter.
    """

    kind = models.CharField(max_length=20, choices=LedgerAccountKind.choices)
    owner_reference = models.CharField(max_length=100)
    balance_won = models.BigIntegerField(default=0)
    held_won = models.BigIntegerField(default=0)
    # What a card's account spent on ``spent_on`` (Pyongyang date) by single payments and
    # holds, kept in the same conditional UPDATE that moves the money: the daily limit is
    # decided by that one statement instead of a SUM over the day's transfers.
    spent_on = models.DateField(null=True, blank=True)
    spent_today_won = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_reference"], name="ledger_account_owner_unique"
            ),
            models.CheckConstraint(
                condition=Q(spent_today_won__gte=0),
                name="ledger_account_spent_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LedgerAccountKind.values),
                name="ledger_account_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(held_won__gte=0), name="ledger_account_held_not_negative"
            ),
            # The last line of defence of DESIGN.md invariant 1: whatever the code or the
            # concurrency, a shopper never spends money that is not there.
            models.CheckConstraint(
                condition=~Q(kind="shopper")
                | (Q(balance_won__gte=0) & Q(held_won__lte=F("balance_won"))),
                name="ledger_account_shopper_not_overdrawn",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.kind}:{self.owner_reference}"

    @property
    def available_won(self) -> int:
        """Return the balance less pending holds."""
        return self.balance_won - self.held_won


class TransferKind(models.TextChoices):
    """What a transfer does; captures, voids and expiries resolve one hold."""

    SINGLE = "single", "single"
    HOLD = "hold", "hold"
    CAPTURE = "capture", "capture"
    VOID = "void", "void"
    EXPIRE = "expire", "expire"
    REFUND = "refund", "refund"


# Kinds whose amount moves from the debit to the credit balance; a hold only reserves, and a
# void or expiry only releases.
BALANCE_MOVING_KINDS = (TransferKind.SINGLE, TransferKind.CAPTURE, TransferKind.REFUND)
HOLD_RESOLVING_KINDS = (TransferKind.CAPTURE, TransferKind.VOID, TransferKind.EXPIRE)


class Transfer(models.Model):
    """One immutable movement (or reservation) of money between two ledger accounts.

    Never updated: a hold is resolved by a new capture, void or expire transfer pointing at
    it through ``pending`` (at most one, by a unique constraint), and a refund is a new
    transfer the other way pointing at what it refunds through ``refund_of``.
    """

    TRANSFER_ID_LENGTH_MAX = 255
    REFERENCE_LENGTH_MAX = 100

    transfer_id = models.CharField(max_length=TRANSFER_ID_LENGTH_MAX, unique=True)
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=TransferKind.choices)
    debit_account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="debits"
    )
    credit_account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="credits"
    )
    amount_won = models.BigIntegerField()
    pending = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    reference = models.CharField(max_length=REFERENCE_LENGTH_MAX, blank=True)
    created_at = models.DateTimeField(db_index=True)
    timeout_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["debit_account", "created_at"]),
            models.Index(fields=["credit_account", "created_at"]),
            models.Index(
                fields=["timeout_at"],
                condition=Q(kind="hold"),
                name="transfer_hold_timeout",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TransferKind.values), name="transfer_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(amount_won__gt=0), name="transfer_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")),
                name="transfer_accounts_differ",
            ),
            models.CheckConstraint(
                condition=Q(pending__isnull=True, kind__in=["single", "hold", "refund"])
                | Q(pending__isnull=False, kind__in=["capture", "void", "expire"]),
                name="transfer_resolution_names_its_hold",
            ),
            models.CheckConstraint(
                condition=Q(refund_of__isnull=False) | ~Q(kind="refund"),
                name="transfer_refund_names_its_original",
            ),
            models.CheckConstraint(
                condition=Q(timeout_at__isnull=False) | ~Q(kind="hold"),
                name="transfer_hold_has_timeout",
            ),
            # Each hold is captured, voided or expired exactly once.
            models.UniqueConstraint(
                fields=["pending"],
                condition=Q(pending__isnull=False),
                name="transfer_hold_resolved_once",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.kind} {self.transfer_id} {self.amount_won}"


class TransferRefusal(models.Model):
    """The first outcome of a transfer id that was refused; the id stays refused for ever."""

    transfer_id = models.CharField(
        max_length=Transfer.TRANSFER_ID_LENGTH_MAX, unique=True
    )
    fingerprint = models.CharField(max_length=64)
    code = models.CharField(max_length=40)
    detail = models.CharField(max_length=300)
    extra = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    @override
    def __str__(self) -> str:
        return f"{self.transfer_id} refused: {self.code}"


class CardStatus(models.TextChoices):
    """Whether a card may be used; a PIN lock is the attempt counter, not a status."""

    ACTIVE = "active", "active"
    BLOCKED = "blocked", "blocked"
    EXPIRED = "expired", "expired"


class Card(models.Model):
    """A bank card issued to a named holder, with its own shopper ledger account."""

    number = models.CharField(max_length=16, unique=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cards"
    )
    phone = models.CharField(max_length=20)
    status = models.CharField(
        max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    blocked_reason = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField()
    # The issuer's key version the chip key was derived under (payments/issuer_keys.py).
    chip_key_version = models.PositiveSmallIntegerField()
    # A keyed MAC of the card number and the PIN (payments/pins.py), or an older Argon2id hash
    # until the next correct PIN; the PIN itself is never stored, logged or put in an error.
    pin_hash = models.CharField(max_length=200)
    pin_key_version = models.PositiveSmallIntegerField()
    pin_failed_attempts = models.PositiveSmallIntegerField(default=0)
    # Why the teller issued it while the holder already had a card (blank for a first card).
    issue_reason = models.CharField(max_length=200, blank=True)
    ledger_account = models.OneToOneField(
        LedgerAccount, on_delete=models.PROTECT, related_name="card"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CardStatus.values), name="card_status_known"
            ),
            models.CheckConstraint(
                condition=Q(pin_hash__startswith="hmac-sha256$")
                | Q(pin_hash__startswith="$argon2"),
                name="card_pin_hash_form_known",
            ),
            models.CheckConstraint(
                condition=Q(chip_key_version__gte=1, pin_key_version__gte=1),
                name="card_key_versions_positive",
            ),
            models.CheckConstraint(
                condition=Q(pin_failed_attempts__lte=3),
                name="card_pin_attempts_bounded",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"card …{self.number[-4:]}"

    @property
    def masked_number(self) -> str:
        """Return the number as printed on receipts and SMS: only the last four digits."""
        return f"****{self.number[-4:]}"


class CardEventKind(models.TextChoices):
    """What was done to a card."""

    ISSUED = "issued", pgettext_lazy("card event", "발급")
    BLOCKED = "blocked", pgettext_lazy("card event", "정지")
    UNBLOCKED = "unblocked", pgettext_lazy("card event", "정지 해제")
    PIN_RESET = "pin_reset", pgettext_lazy("card event", "PIN 재설정")


class CardEvent(models.Model):
    """One thing done to a card and who did it: a line of the card's journal, never changed.

    ``actor`` is the person who acted at the counter; it is null for what no person did there
    (a card the issuer blocked for a clone or a debt at the door, a card issued outside the
    counter, and the ``issued`` rows written for the cards that existed before the journal).
    ``reason`` is the block's reason or a second card's issue reason.
    """

    REASON_LENGTH_MAX = 200

    card = models.ForeignKey(
        Card, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=10, choices=CardEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(max_length=REASON_LENGTH_MAX, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            # A card's journal, newest first.
            models.Index(fields=["card", "-at"], name="card_event_card_newest"),
            # What one person did at the counter on a day.
            models.Index(fields=["actor", "at"], name="card_event_actor_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CardEventKind.values),
                name="card_event_kind_known",
            ),
            # Only the counter unblocks a card or resets its PIN, so someone did it.
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | Q(kind__in=["issued", "blocked"]),
                name="card_event_counter_action_names_actor",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.kind} {self.card_id} {self.at:%Y-%m-%d %H:%M}"


class ChipUse(models.Model):
    """One chip record presented to the issuer; a card's counter is used at most once."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="chip_uses")
    counter = models.BigIntegerField()
    mac = models.CharField(max_length=64)
    amount_won = models.BigIntegerField()
    merchant_account_id = models.BigIntegerField()
    is_offline = models.BooleanField()
    outcome_code = models.CharField(max_length=40)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["card", "counter"], name="chip_use_counter_once"
            ),
            models.CheckConstraint(
                condition=Q(counter__gte=0), name="chip_use_counter_not_negative"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"chip {self.card_id}#{self.counter} {self.outcome_code}"


class PaymentRequestStatus(models.TextChoices):
    """Whether a QR payment request can still be paid."""

    OPEN = "open", "open"
    PAID = "paid", "paid"


class PaymentRequest(models.Model):
    """An amount a merchant or courier asks for, shown as a QR code; paid at most once."""

    DESCRIPTION_LENGTH_MAX = 100

    token = models.CharField(max_length=43, unique=True)
    credit_account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="payment_requests"
    )
    amount_won = models.BigIntegerField()
    description = models.CharField(max_length=DESCRIPTION_LENGTH_MAX, blank=True)
    status = models.CharField(
        max_length=10,
        choices=PaymentRequestStatus.choices,
        default=PaymentRequestStatus.OPEN,
    )
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_won__gt=0), name="payment_request_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="open", transfer__isnull=True)
                | Q(status="paid", transfer__isnull=False),
                name="payment_request_paid_has_transfer",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"QR {self.amount_won}원 {self.status}"


class CashDrawerStatus(models.TextChoices):
    """Whether a teller's drawer takes cash."""

    OPEN = "open", "open"
    CLOSED = "closed", "closed"


class CashDrawer(models.Model):
    """A teller's cash drawer for one local day: opened, filled with top-ups, counted, closed.

    ``taken_won`` is the cash taken in through it (booked, and awaiting a supervisor; a rejected
    top-up is handed back and leaves it); ``booked_won`` what the ledger credited to cards
    through it. Both are kept by the counter services and recomputed by the audit. Closing
    records the cash counted and its difference to ``booked_won``.
    """

    NOTE_LENGTH_MAX = 300

    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cash_drawers"
    )
    day = models.DateField()
    status = models.CharField(
        max_length=10, choices=CashDrawerStatus.choices, default=CashDrawerStatus.OPEN
    )
    taken_won = models.BigIntegerField(default=0)
    booked_won = models.BigIntegerField(default=0)
    counted_won = models.BigIntegerField(null=True, blank=True)
    difference_won = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=NOTE_LENGTH_MAX, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["teller", "day"], name="cash_drawer_one_per_teller_and_day"
            ),
            models.UniqueConstraint(
                fields=["teller"],
                condition=Q(status="open"),
                name="cash_drawer_one_open_per_teller",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CashDrawerStatus.values),
                name="cash_drawer_status_known",
            ),
            models.CheckConstraint(
                condition=Q(booked_won__gte=0, taken_won__gte=F("booked_won")),
                name="cash_drawer_booked_within_taken",
            ),
            models.CheckConstraint(
                condition=Q(
                    status="open",
                    counted_won__isnull=True,
                    difference_won__isnull=True,
                    closed_at__isnull=True,
                )
                | Q(
                    status="closed",
                    counted_won__gte=0,
                    difference_won__isnull=False,
                    closed_at__isnull=False,
                ),
                name="cash_drawer_closed_is_counted",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"drawer {self.teller_id} {self.day} {self.status}"


class CounterTopUpStatus(models.TextChoices):
    """Where a cash top-up taken at the counter stands."""

    BOOKED = "booked", "booked"
    PENDING_APPROVAL = "pending_approval", "pending approval"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"


class CounterTopUp(models.Model):
    """Cash a teller took in at the counter for a card, through their drawer.

    Up to the approval threshold it is booked at once; above it, it waits for a supervisor
    other than the teller, who approves it (booked then) or rejects it (the cash is handed
    back). ``booking_transfer_id`` is the ledger transfer id its booking uses, fixed when the
    cash is taken, so a retried request or approval books it at most once.
    """

    REASON_LENGTH_MAX = 200

    booking_transfer_id = models.CharField(
        max_length=Transfer.TRANSFER_ID_LENGTH_MAX, unique=True
    )
    card = models.ForeignKey(
        Card, on_delete=models.PROTECT, related_name="counter_top_ups"
    )
    drawer = models.ForeignKey(
        CashDrawer, on_delete=models.PROTECT, related_name="top_ups"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amount_won = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=CounterTopUpStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=REASON_LENGTH_MAX, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_won__gt=0), name="counter_top_up_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CounterTopUpStatus.values),
                name="counter_top_up_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "approved"], transfer__isnull=False)
                | Q(status__in=["pending_approval", "rejected"], transfer__isnull=True),
                name="counter_top_up_booked_has_transfer",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["approved", "rejected"],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                )
                | Q(
                    status__in=["booked", "pending_approval"],
                    decided_by__isnull=True,
                    decided_at__isnull=True,
                ),
                name="counter_top_up_decision_named",
            ),
            # Four eyes: nobody approves or rejects what they took in themselves.
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")),
                name="counter_top_up_decided_by_another",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"top-up {self.pk} {self.amount_won} {self.status}"
