"""Admin pieces shared by the apps whose rows move only through their services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override


# ModelAdmin is generic only in the stubs; subscripting it fails at run time.
class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin that shows rows and never adds, changes or deletes them.

    Money, orders and delivery jobs move together in their services (a transfer with its
    hold, a job with its courier's load, each change with its event); a hand edit in the
    admin would split them and the audit would no longer add up.
    """

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
