"""Baskets and their lines."""

from django.db import models
from django.db.models import Q
from typing_extensions import override

from okryu.accounts.models import User
from okryu.catalog.models import Product


class Basket(models.Model):
    """A basket, owned by a signed-in user or, before sign-in, by a browser session."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="basket"
    )
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(session_key__isnull=False),
                name="basket_has_owner",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"basket {self.pk}"


class BasketLine(models.Model):
    """A product and a quantity in a basket, with the price the shopper saw when adding it."""

    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # The chosen options' ids, ascending, joined by commas ("" when none): the same product
    # with other options is another line. Made by okryu.catalog.options.options_key.
    options_key = models.CharField(max_length=100, blank=True, default="")
    # The unit price with the options, as the shopper saw it.
    price_won_seen = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["basket", "product", "options_key"], name="basket_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="basket_line_quantity_positive"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
