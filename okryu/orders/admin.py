"""The operator's read-only view of orders; every change goes through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from okryu.core.admin import ReadOnlyAdmin
from okryu.orders.models import (
    DailyPurchase,
    Fulfilment,
    FulfilmentEvent,
    Order,
    OrderLine,
)


class FulfilmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Fulfilment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "merchant",
        "status",
        "items_total_won",
        "delivery_fee_won",
        "captured_won",
    )

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "shopper", "status", "total_won", "placed_at"]
    list_filter = ["status"]
    search_fields = ["number", "shopper__username"]
    list_select_related = ["shopper"]
    date_hierarchy = "placed_at"
    inlines = [FulfilmentInline]


class OrderLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "product",
        "name",
        "unit_price_won",
        "quantity",
        "total_won",
    )

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FulfilmentEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = FulfilmentEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "created_at",
        "from_status",
        "to_status",
        "actor",
        "actor_role",
        "note",
    )

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Fulfilment)
class FulfilmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "merchant", "status", "captured_won", "placed_at"]
    list_filter = ["status"]
    search_fields = ["order__number", "merchant__name"]
    list_select_related = ["order", "merchant"]
    inlines = [OrderLineInline, FulfilmentEventInline]


@admin.register(FulfilmentEvent)
class FulfilmentEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "fulfilment",
        "from_status",
        "to_status",
        "actor_role",
    ]
    list_filter = ["to_status", "actor_role"]
    list_select_related = ["fulfilment"]


@admin.register(DailyPurchase)
class DailyPurchaseAdmin(ReadOnlyAdmin):
    list_display = ["day", "shopper", "product", "quantity"]
    list_select_related = ["shopper", "product"]
