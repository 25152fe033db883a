"""The operator's admin for categories and products.

Stock figures are read-only here: stock moves only through the catalog's stock services
(receive, count), which keep the bookkeeping identity and the movement history.
"""

from django.contrib import admin

from okryu.catalog.models import Category, Product, StockMovement

STOCK_FIELDS = [
    "stock_on_hand",
    "stock_reserved",
    "stock_offered",
    "stock_received",
    "stock_sold",
    "stock_adjusted",
]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "name_en", "parent", "sort_order"]
    list_filter = ["parent"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class StockMovementInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StockMovement
    extra = 0
    fields = [
        "created_at",
        "kind",
        "quantity_change",
        "on_hand_after",
        "changed_by",
        "note",
    ]
    readonly_fields = [
        "created_at",
        "kind",
        "quantity_change",
        "on_hand_after",
        "changed_by",
        "note",
    ]
    can_delete = False
    max_num = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Products: search by name, filter by merchant, category and whether on sale."""

    list_display = [
        "name",
        "merchant",
        "category",
        "price_won",
        "stock_on_hand",
        "stock_reserved",
        "is_active",
    ]
    list_filter = ["is_active", "merchant", "category", "is_made_to_order"]
    search_fields = ["name", "name_en"]
    list_select_related = ["merchant", "category"]
    autocomplete_fields = ["merchant", "category"]
    readonly_fields = [*STOCK_FIELDS, "created_at", "updated_at"]
    inlines = [StockMovementInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "merchant",
                    "category",
                    ("name", "name_en"),
                    ("description", "description_en"),
                    ("unit", "unit_en"),
                    "price_won",
                    ("weight_grams", "size_class"),
                    "is_made_to_order",
                    "purchase_limit_per_day",
                    "purchase_limit_per_period",
                    "purchase_limit_period_days",
                    "is_active",
                )
            },
        ),
        ("Stock", {"fields": (*STOCK_FIELDS,)}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
