"""The merchant's back office for products: create, edit, photograph, withdraw, stock.

Every function takes the acting staff member and checks that they work for the product's
merchant; anyone else gets NotFound (another merchant's product does not exist for them).
Stock changes go through ``okryu.catalog.services`` and keep who made them.
"""

import io
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from okryu.accounts.models import User
from okryu.catalog.models import Category, Product, SizeClass
from okryu.catalog.services import count_stock, receive_stock
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.transactions import service_transaction
from okryu.merchants.models import MerchantKind, MerchantStaff

PHOTO_SIDE_MAX = 1200
THUMBNAIL_SIDE_MAX = 200
UNIT_LENGTH_MAX = 30
DESCRIPTION_LENGTH_MAX = 4000
DISHES_LIST_MAX = 200
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


def _check_membership(staff_user_id: int, merchant_id: int) -> None:
    if not MerchantStaff.objects.filter(
        user_id=staff_user_id, merchant_id=merchant_id, merchant__is_active=True
    ).exists():
        raise NotFound("판매자를 찾을 수 없습니다.")


def get_product_for_staff(*, staff_user_id: int, product_id: int) -> Product:
    """Return a product (active or withdrawn) of a merchant the user works for, or NotFound."""
    product = (
        Product.objects.select_related("merchant", "category")
        .filter(
            pk=product_id,
            merchant__staff__user_id=staff_user_id,
            merchant__is_active=True,
        )
        .first()
    )
    if product is None:
        raise NotFound("상품을 찾을 수 없습니다.")
    return product


@dataclass(frozen=True)
class ProductChanges:
    """Fields of a product to change; None leaves a field as it is."""

    name: str | None = None
    name_en: str | None = None
    category_id: int | None = None
    price_won: int | None = None
    unit: str | None = None
    unit_en: str | None = None
    weight_grams: int | None = None
    description: str | None = None
    description_en: str | None = None
    size_class: str | None = None
    is_made_to_order: bool | None = None
    purchase_limit_per_day: int | None = None
    clears_purchase_limit: bool = False


def _text(value: object, *, field: str, length_max: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (required and not text) or len(text) > length_max:
        lowest = 1 if required else 0
        raise InvalidInput(f"{lowest}자에서 {length_max}자까지입니다.", field=field)
    return text


def _whole(value: object, *, field: str, lowest: int, highest: int) -> int:
    # A bool is an int in Python, but never a price, weight or limit.
    if type(value) is not int or not lowest <= value <= highest:
        raise InvalidInput(f"{lowest:,}부터 {highest:,}까지의 정수입니다.", field=field)
    return value


TEXT_LIMITS = {
    "name": (Product.NAME_LENGTH_MAX, True),
    "name_en": (Product.NAME_LENGTH_MAX, True),
    "unit": (UNIT_LENGTH_MAX, True),
    "unit_en": (UNIT_LENGTH_MAX, False),
    "description": (DESCRIPTION_LENGTH_MAX, False),
    "description_en": (DESCRIPTION_LENGTH_MAX, False),
}
NUMBER_LIMITS = {
    "price_won": (1, Product.PRICE_WON_MAX),
    "weight_grams": (0, Product.WEIGHT_GRAMS_MAX),
    "purchase_limit_per_day": (1, 1_000_000),
}


def _validated(changes: ProductChanges) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in fields(changes):
        value = getattr(changes, field.name)
        if value is None or field.name == "clears_purchase_limit":
            continue
        if field.name in TEXT_LIMITS:
            length_max, required = TEXT_LIMITS[field.name]
            value = _text(
                value, field=field.name, length_max=length_max, required=required
            )
        elif field.name in NUMBER_LIMITS:
            lowest, highest = NUMBER_LIMITS[field.name]
            value = _whole(value, field=field.name, lowest=lowest, highest=highest)
        elif field.name == "category_id" and (
            type(value) is not int or not Category.objects.filter(pk=value).exists()
        ):
            raise InvalidInput("분류를 찾을 수 없습니다.", field="category")
        elif field.name == "size_class" and value not in SizeClass.values:
            raise InvalidInput("크기 분류가 올바르지 않습니다.", field="size_class")
        elif field.name == "is_made_to_order" and type(value) is not bool:
            raise InvalidInput("참 또는 거짓입니다.", field="is_made_to_order")
        values[field.name] = value
    if changes.clears_purchase_limit:
        values["purchase_limit_per_day"] = None
    return values


@service_transaction(durable=False)
def create_product(  # noqa: PLR0913  (the API's product body, field by field, by keyword)
    *,
    staff_user_id: int,
    merchant_id: int,
    name: str,
    name_en: str,
    category_id: int,
    price_won: int,
    unit: str,
    weight_grams: int,
    stock: int = 0,
    details: ProductChanges | None = None,
) -> Product:
    """Create a product of the staff member's merchant, with ``stock`` units received.

    ``details`` carries the optional fields (English unit, descriptions, size, made to
    order, purchase limit). Refuses a bad field with InvalidInput naming it.
    """
    _check_membership(staff_user_id, merchant_id)
    given = ProductChanges(
        name=name,
        name_en=name_en,
        category_id=category_id,
        price_won=price_won,
        unit=unit,
        weight_grams=weight_grams,
    )
    values = {**_validated(details or ProductChanges()), **_validated(given)}
    _whole(stock, field="stock", lowest=0, highest=1_000_000)
    product = Product.objects.create(merchant_id=merchant_id, **values)
    if stock:
        receive_stock(
            product_id=product.pk,
            quantity=stock,
            changed_by=User.objects.get(pk=staff_user_id),
            note="첫 입고",
        )
    product.refresh_from_db()
    assert product.stock_on_hand == stock
    return product


@service_transaction(durable=False)
def update_product(
    *, staff_user_id: int, product_id: int, changes: ProductChanges
) -> Product:
    """Change a product's fields; a new price applies to orders placed from now on.

    Baskets keep the price their shopper saw, so checkout tells them of the change.
    """
    values = _validated(changes)
    if values.get("is_made_to_order") is False:
        # Goods sell from stock: a daily capacity belongs to dishes only.
        values["daily_capacity"] = None
    product = get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    for name, value in values.items():
        setattr(product, name, value)
    product.save(update_fields=[*values, "updated_at"])
    return product


@service_transaction(durable=False)
def withdraw_product(*, staff_user_id: int, product_id: int) -> Product:
    """Take a product off sale; orders already placed keep their reserved units."""
    product = get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    Product.objects.filter(pk=product.pk).update(is_active=False)
    product.refresh_from_db()
    assert not product.is_active
    return product


@service_transaction(durable=False)
def restore_product(*, staff_user_id: int, product_id: int) -> Product:
    """Put a withdrawn product back on sale."""
    product = get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    Product.objects.filter(pk=product.pk).update(is_active=True)
    product.refresh_from_db()
    return product


def list_dishes_for_staff(*, staff_user_id: int, limit: int) -> list[Product]:
    """Return the dishes on sale (made to order) of the user's restaurants, by name."""
    assert 0 < limit <= DISHES_LIST_MAX
    dishes = Product.objects.filter(
        merchant__staff__user_id=staff_user_id,
        merchant__is_active=True,
        merchant__kind=MerchantKind.RESTAURANT,
        is_made_to_order=True,
        is_active=True,
    )
    return list(dishes.select_related("merchant").order_by("name", "pk")[:limit])


@service_transaction(durable=False)
def set_dish_sold_out(
    *, staff_user_id: int, product_id: int, is_sold_out: bool
) -> Product:
    """Switch a dish of the user's merchant to sold out (none can be ordered) or back.

    Idempotent by value: the same switch twice changes nothing more. A product that is not
    made to order is refused with InvalidInput (its stock says when it runs out); another
    merchant's product is NotFound. Orders already placed are kept.
    """
    product = get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    if not product.is_made_to_order:
        raise InvalidInput(
            "주문 후 조리하는 음식만 품절로 바꿀 수 있습니다.", field="is_sold_out"
        )
    Product.objects.filter(pk=product.pk).update(is_sold_out=is_sold_out)
    product.refresh_from_db()
    assert product.is_sold_out == is_sold_out
    return product


def _encoded(image: Image.Image, side_max: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side_max, side_max))
    output = io.BytesIO()
    copy.save(output, format="WEBP", quality=80, method=4)
    return output.getvalue()


def _open_photo(data: bytes) -> Image.Image:
    bytes_max = int(settings.OKRYU_PHOTO_BYTES_MAX)
    pixels_max = int(settings.OKRYU_PHOTO_PIXELS_MAX)
    if not 0 < len(data) <= bytes_max:
        raise InvalidInput(
            f"사진은 {bytes_max // (1024 * 1024)}MB까지입니다.", field="photo"
        )
    try:
        # Opening reads only the header: the size is refused before any pixel is decoded.
        with Image.open(io.BytesIO(data)) as probe:
            image_format, (width, height) = probe.format, probe.size
            if image_format not in PHOTO_FORMATS:
                raise InvalidInput("JPEG, PNG, WebP 사진만 받습니다.", field="photo")
            if width * height > pixels_max:
                raise InvalidInput(
                    f"사진이 너무 큽니다: {width}×{height}. "
                    f"{pixels_max // 10_000}만 화소까지 받습니다.",
                    field="photo",
                )
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise InvalidInput("사진을 읽을 수 없습니다.", field="photo") from error
    # Honour the camera's orientation, drop its metadata, keep colours only.
    return ImageOps.exif_transpose(image).convert("RGB")


def set_product_photo(*, staff_user_id: int, product_id: int, data: bytes) -> Product:
    """Store a product's photo (≤ 1200 px) and thumbnail (≤ 200 px), both re-encoded WebP."""
    image = _open_photo(data)
    photo = _encoded(image, PHOTO_SIDE_MAX)
    thumbnail = _encoded(image, THUMBNAIL_SIDE_MAX)
    with transaction.atomic():
        product = get_product_for_staff(
            staff_user_id=staff_user_id, product_id=product_id
        )
        product.photo.save(f"{product.pk}.webp", ContentFile(photo), save=False)
        product.thumbnail.save(f"{product.pk}.webp", ContentFile(thumbnail), save=False)
        product.save(update_fields=["photo", "thumbnail", "updated_at"])
    return product


def receive_stock_for_staff(
    *, staff_user_id: int, product_id: int, quantity: int, note: str = ""
) -> Product:
    """Record goods received for one of the staff member's products (kept with their name)."""
    get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    return receive_stock(
        product_id=product_id,
        quantity=quantity,
        changed_by=User.objects.get(pk=staff_user_id),
        note=note,
    )


def count_stock_for_staff(
    *, staff_user_id: int, product_id: int, counted: int, note: str = ""
) -> Product:
    """Record a stock count of one of the staff member's products (kept with their name)."""
    get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    return count_stock(
        product_id=product_id,
        counted=counted,
        changed_by=User.objects.get(pk=staff_user_id),
        note=note,
    )
