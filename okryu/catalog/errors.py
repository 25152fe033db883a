"""Refusals of the catalog: stock and product rules."""

from okryu.core.errors import DomainError


class OutOfStock(DomainError):
    """A line asks for more units than are available now."""

    code = "out_of_stock"
    status = 409
    title = "Out of stock"


class OverPurchaseLimit(DomainError):
    """A line asks for more than the product's purchase limit per shopper per day."""

    code = "over_limit"
    status = 409
    title = "Over the purchase limit"


class ProductUnavailable(DomainError):
    """The product was withdrawn or does not exist."""

    code = "invalid"
    status = 422
    title = "Product unavailable"


class InStock(DomainError):
    """A waitlist is only for a product that cannot be ordered now."""

    code = "in_stock"
    status = 409
    title = "In stock"
