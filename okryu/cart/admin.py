"""The operator's view of baskets, read-only: baskets change only through the services."""

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from okryu.cart.models import Basket, BasketLine


class BasketLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BasketLine
    extra = 0
    fields = ["product", "quantity", "price_won_seen", "added_at"]
    readonly_fields = ["product", "quantity", "price_won_seen", "added_at"]

    @override
    def has_add_permission(
        self, request: HttpRequest, obj: Basket | None = None
    ) -> bool:
        return False


@admin.register(Basket)
class BasketAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["pk", "user", "session_key", "updated_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "session_key", "created_at", "updated_at"]
    inlines = [BasketLineInline]

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(
        self, request: HttpRequest, obj: Basket | None = None
    ) -> bool:
        return False
