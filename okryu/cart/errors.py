"""Refusals of the basket; stock and purchase limits use the catalog's errors."""

from okryu.core.errors import DomainError


class BasketFull(DomainError):
    """The basket already holds the maximum number of lines."""

    code = "basket_full"
    status = 409
    title = "Basket full"
