"""What a checkout costs: the products at today's prices, their options, and the delivery fees.

One SELECT reads the products with their merchants and the merchants' districts, the
destination district's position and the delivery fees account; one more reads the option
menus when a line is a dish. The fee of each merchant's part is the parcel rules' (distance
from the merchant's district, weight, the bulkiest item) under the configured thresholds.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Subquery

from okryu.accounts.models import District
from okryu.catalog.models import Product
from okryu.catalog.options import (
    NO_OPTIONS,
    ChosenOptions,
    choose_options,
    load_option_menus,
)
from okryu.core.errors import InvalidInput
from okryu.core.won import format_won
from okryu.merchants.models import Merchant
from okryu.orders.errors import PriceChanged, ProductUnavailable
from okryu.orders.rules import MerchantShare, PricedLine, split_by_merchant
from okryu.orders.services.checkout.shape import CheckoutLine, check_lines_shape
from okryu.parcels.rules import (
    bulkiest_size_class,
    delivery_fee_won,
    road_distance_meters,
)
from okryu.parcels.thresholds import delivery_thresholds
from okryu.payments.ledger.accounts import DELIVERY_FEES_OWNER
from okryu.payments.models import LedgerAccount, LedgerAccountKind


@dataclass(frozen=True)
class Catalogue:
    """The products of a checkout's lines, where they go, and the delivery fees account.

    ``fees_account_id`` is None only before the very first checkout with a fee.
    """

    products: dict[int, Product]
    district_id: int
    destination: tuple[float, float]
    fees_account_id: int | None

    @property
    def merchants(self) -> dict[int, Merchant]:
        """The merchants of the products, by primary key."""
        return {p.merchant_id: p.merchant for p in self.products.values()}


@dataclass(frozen=True)
class PricedShare:
    """One merchant's part at today's prices, with its distance and delivery fee."""

    share: MerchantShare
    distance_meters: int
    delivery_fee_won: int


@dataclass(frozen=True)
class MerchantQuote:
    """One merchant's part of a checkout: items, weight, distance, delivery fee, total."""

    merchant_id: int
    merchant_name: str
    merchant_name_en: str
    items_total_won: int
    weight_grams: int
    distance_meters: int
    delivery_fee_won: int

    @property
    def total_won(self) -> int:
        """Items and delivery fee of this merchant's part."""
        return self.items_total_won + self.delivery_fee_won


@dataclass(frozen=True)
class CheckoutQuote:
    """What the checkout will cost, per merchant and in all, at today's prices."""

    merchants: tuple[MerchantQuote, ...]
    items_total_won: int
    delivery_fee_won: int

    @property
    def total_won(self) -> int:
        """Everything the card will be held for."""
        return self.items_total_won + self.delivery_fee_won


def load_catalogue(lines: Sequence[CheckoutLine], *, district_id: int) -> Catalogue:
    """Read the lines' products and the destination in one SELECT; refuse what is not sold.

    Raises ProductUnavailable for an unknown, withdrawn or sold-out product (in line order)
    and InvalidInput for an unknown district.
    """
    district = District.objects.filter(pk=district_id)
    products: dict[int, Product] = dict(
        Product.objects.select_related("merchant", "merchant__district")
        .annotate(
            destination_latitude=Subquery(district.values("latitude")[:1]),
            destination_longitude=Subquery(district.values("longitude")[:1]),
            fees_account_id=Subquery(
                LedgerAccount.objects.filter(
                    kind=LedgerAccountKind.DELIVERY_FEES,
                    owner_reference=DELIVERY_FEES_OWNER,
                ).values("pk")[:1]
            ),
        )
        .in_bulk([line.product_id for line in lines])
    )
    for line in lines:
        product = products.get(line.product_id)
        if product is None or not product.is_active or not product.merchant.is_active:
            raise ProductUnavailable(
                "판매하지 않는 상품입니다.", field="lines", product=line.product_id
            )
        if product.is_made_to_order and product.is_sold_out:
            raise ProductUnavailable(
                f"{product.name}은(는) 오늘 다 팔렸습니다.",
                field="lines",
                product=line.product_id,
            )
    # The annotations are the same on every product: the first one's are read.
    first = products[lines[0].product_id]
    latitude = getattr(first, "destination_latitude")  # noqa: B009  (an annotation)
    if latitude is None:
        raise InvalidInput("구역을 찾을 수 없습니다.", field="district")
    return Catalogue(
        products=products,
        district_id=district_id,
        destination=(latitude, getattr(first, "destination_longitude")),  # noqa: B009
        fees_account_id=getattr(first, "fees_account_id"),  # noqa: B009
    )


def choose_all_options(
    lines: Sequence[CheckoutLine], catalogue: Catalogue
) -> list[ChosenOptions]:
    """Return each line's chosen options (NO_OPTIONS for goods), refusing impossible ones."""
    products = catalogue.products
    # Only dishes have options: a basket of goods reads no option at all.
    dish_ids = [
        line.product_id for line in lines if products[line.product_id].is_made_to_order
    ]
    menus = load_option_menus(dish_ids) if dish_ids else {}
    chosen: list[ChosenOptions] = []
    for line in lines:
        menu = menus.get(line.product_id)
        if menu is None:
            if line.option_ids:
                raise InvalidInput(
                    "이 상품에서 고를 수 없는 선택입니다.", field="options"
                )
            chosen.append(NO_OPTIONS)
            continue
        choice = choose_options(menu, line.option_ids)
        if products[line.product_id].price_won + choice.price_change_won <= 0:
            raise InvalidInput("선택한 값의 가격이 0원 이하입니다.", field="options")
        chosen.append(choice)
    return chosen


def check_prices_seen(
    lines: Sequence[CheckoutLine],
    catalogue: Catalogue,
    chosen: Sequence[ChosenOptions],
) -> None:
    """Raise PriceChanged (with both figures) for the first line whose price moved."""
    for line, choice in zip(lines, chosen, strict=True):
        product = catalogue.products[line.product_id]
        price_now = product.price_won + choice.price_change_won
        if line.price_won_seen is not None and line.price_won_seen != price_now:
            raise PriceChanged(
                f"{product.name}의 가격이 "
                f"{format_won(line.price_won_seen)}에서 {format_won(price_now)}으로 "
                "바뀌었습니다.",
                product=line.product_id,
                price_seen=line.price_won_seen,
                price_now=price_now,
            )


def price_shares(
    lines: Sequence[CheckoutLine],
    catalogue: Catalogue,
    chosen: Sequence[ChosenOptions],
) -> tuple[PricedShare, ...]:
    """Split the lines by merchant at today's prices and add each part's delivery fee."""
    products = catalogue.products
    priced = split_by_merchant(
        (
            PricedLine(
                product_id=line.product_id,
                merchant_id=products[line.product_id].merchant_id,
                quantity=line.quantity,
                unit_price_won=products[line.product_id].price_won
                + choice.price_change_won,
                options_key=choice.key,
            )
            for line, choice in zip(lines, chosen, strict=True)
        ),
        {pk: product.weight_grams for pk, product in products.items()},
    )
    thresholds = delivery_thresholds()
    merchants = catalogue.merchants
    shares = []
    for share in priced.shares:
        origin = merchants[share.merchant_id].district
        distance = road_distance_meters(
            (origin.latitude, origin.longitude), catalogue.destination
        )
        fee = delivery_fee_won(
            distance_meters=distance,
            weight_grams=share.weight_grams,
            size_class=bulkiest_size_class(
                products[line.product_id].size_class for line in share.lines
            ),
            thresholds=thresholds,
        )
        shares.append(
            PricedShare(share=share, distance_meters=distance, delivery_fee_won=fee)
        )
    return tuple(shares)


def quote_checkout(*, lines: Sequence[CheckoutLine], district_id: int) -> CheckoutQuote:
    """Return what the lines will cost delivered to ``district_id``, at today's prices.

    For the checkout page's summary; refuses unknown or withdrawn products and an unknown
    district like ``place_order`` does, and changes nothing.
    """
    check_lines_shape(tuple(lines))
    catalogue = load_catalogue(lines, district_id=district_id)
    shares = price_shares(lines, catalogue, choose_all_options(lines, catalogue))
    merchants = catalogue.merchants
    quotes = tuple(
        MerchantQuote(
            merchant_id=item.share.merchant_id,
            merchant_name=merchants[item.share.merchant_id].name,
            merchant_name_en=merchants[item.share.merchant_id].name_en,
            items_total_won=item.share.items_total_won,
            weight_grams=item.share.weight_grams,
            distance_meters=item.distance_meters,
            delivery_fee_won=item.delivery_fee_won,
        )
        for item in shares
    )
    return CheckoutQuote(
        merchants=quotes,
        items_total_won=sum(quote.items_total_won for quote in quotes),
        delivery_fee_won=sum(quote.delivery_fee_won for quote in quotes),
    )
