"""The operator's read-only view of the ledger and the cards; changes go through services."""

from django.contrib import admin

from okryu.core.admin import ReadOnlyAdmin
from okryu.payments.models import (
    Card,
    CardEvent,
    ChipUse,
    LedgerAccount,
    PaymentRequest,
    Transfer,
    TransferRefusal,
)


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "owner_reference", "balance_won", "held_won"]
    list_filter = ["kind"]
    search_fields = ["owner_reference"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "transfer_id",
        "kind",
        "debit_account",
        "credit_account",
        "amount_won",
    ]
    list_filter = ["kind"]
    search_fields = ["transfer_id", "reference"]
    date_hierarchy = "created_at"


@admin.register(TransferRefusal)
class TransferRefusalAdmin(ReadOnlyAdmin):
    list_display = ["transfer_id", "code", "created_at"]
    list_filter = ["code"]


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["number", "holder", "status", "expires_on", "pin_failed_attempts"]
    list_filter = ["status"]
    search_fields = ["number", "holder__username"]
    exclude = ["pin_hash"]


@admin.register(CardEvent)
class CardEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "card", "kind", "actor", "reason"]
    list_filter = ["kind"]
    search_fields = ["card__number", "actor__username"]
    date_hierarchy = "at"


@admin.register(ChipUse)
class ChipUseAdmin(ReadOnlyAdmin):
    list_display = ["card", "counter", "amount_won", "is_offline", "outcome_code"]


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "credit_account", "amount_won", "status", "expires_at"]
    exclude = ["token"]
