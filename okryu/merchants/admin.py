"""The operator's admin for merchants, with their opening hours and staff inline."""

from django.contrib import admin

from okryu.merchants.models import Merchant, MerchantStaff, OpeningHours


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    extra = 0


class MerchantStaffInline(admin.TabularInline):  # type: ignore[type-arg]
    model = MerchantStaff
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Merchants: onboard, edit, deactivate; hours and staff on the same page."""

    list_display = ["name", "name_en", "kind", "district", "is_active"]
    list_filter = ["kind", "is_active", "district__city"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["district"]
    readonly_fields = ["created_at"]
    inlines = [OpeningHoursInline, MerchantStaffInline]
