"""The operator's view of couriers and delivery jobs; jobs change only through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from okryu.core.admin import ReadOnlyAdmin
from okryu.delivery.models import Courier, DeliveryJob, DeliveryJobEvent


@admin.register(Courier)
class CourierAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "vehicle",
        "capacity_grams",
        "load_grams",
        "district",
        "is_on_duty",
    ]
    list_filter = ["vehicle", "is_on_duty"]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user", "district"]


class DeliveryJobEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DeliveryJobEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "kind", "actor", "courier", "note")

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeliveryJob)
class DeliveryJobAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "fulfilment",
        "status",
        "vehicle_needed",
        "courier",
        "route_position",
        "due_at",
        "is_locked",
    ]
    list_filter = ["status", "vehicle_needed", "is_locked"]
    list_select_related = ["fulfilment", "courier__user"]
    exclude = ["code_salt", "code_key_version", "code_mac"]
    inlines = [DeliveryJobEventInline]
