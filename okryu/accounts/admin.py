"""The operator's admin for people, their roles and addresses, and districts.

ModelAdmin and its inlines are generic only in the stubs; subscripting them fails at run time.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from okryu.accounts.models import Address, District, RoleGrant, User
from okryu.accounts.sign_in_forms import AdminLoginForm

# The admin's login goes through the same sign-in defences as the pages and the API.
admin.site.login_form = AdminLoginForm


class RoleGrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleGrant
    extra = 0
    readonly_fields = ["granted_at"]


class AddressInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Address
    extra = 0
    autocomplete_fields = ["district"]
    readonly_fields = ["created_at"]


@admin.register(User)
class OkryuUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """People, with their roles and addresses on the same page."""

    list_display = ["username", "display_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "phone"]
    list_filter = ["is_active", "is_staff", "role_grants__role"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Okryu", {"fields": ("display_name", "phone", "preferred_language")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "phone",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [RoleGrantInline, AddressInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "name_en", "city", "code", "sort_order"]
    list_filter = ["city"]
    search_fields = ["name", "name_en", "code", "city"]
