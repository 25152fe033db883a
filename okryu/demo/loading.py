"""Loading the demo data into a database, once, in one transaction.

The parts run in order (merchants, users, categories, products) and each returns what later
parts need, so a new part (funded cards for the shoppers, say) is one more function called from
``load_demo_data``.
"""

import zlib
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from okryu.accounts.models import Address, District, Role, RoleGrant, User
from okryu.accounts.phone_verification import record_verified_phone
from okryu.catalog.models import (
    Category,
    Option,
    OptionGroup,
    Product,
    StockMovement,
    StockMovementKind,
)
from okryu.catalog.search import prepare_search_fields, reindex_products
from okryu.demo.assortment import ALL_ITEMS
from okryu.demo.cards import load_cards
from okryu.demo.categories import CATEGORY_TREE
from okryu.demo.couriers import DEMO_COURIERS, load_couriers
from okryu.demo.dish_options import DISH_OPTIONS, DISH_PREPARATION_MINUTES
from okryu.demo.items import BULKY, LARGE, MEDIUM, Item, Variant
from okryu.demo.merchants import MERCHANTS, SOLD_OUT, MerchantSpec
from okryu.demo.users import (
    DEMO_PASSWORD,
    DEMO_USERS,
    MARKER_USERNAME,
    DemoUser,
    merchant_staff_logins,
)
from okryu.merchants.models import Merchant, MerchantStaff, OpeningHours
from okryu.merchants.services import open_settlement_account

STOCK_NOTE = "demo"

# How many units a merchant has of one product, by kind of goods: (lowest, highest).
STOCK_RANGE_DISH = (60, 240)
STOCK_RANGE_LIMITED = (3, 20)
STOCK_RANGE_BY_SIZE = {MEDIUM: (10, 120), LARGE: (4, 40), BULKY: (1, 12)}
STOCK_RANGE_SMALL = (30, 400)


@dataclass(frozen=True)
class DemoLoadResult:
    """What ``load_demo_data`` did: skipped (already loaded) or loaded, with row counts.

    ``logins_added`` counts the merchants' staff logins added to demo data loaded before
    every merchant had one.
    """

    is_loaded_now: bool
    logins_added: int = 0
    users: int = 0
    merchants: int = 0
    categories: int = 0
    products: int = 0
    cards: int = 0


class DistrictsMissing(Exception):
    """The districts of the accounts migration are not in the database."""


def load_demo_data() -> DemoLoadResult:
    """Load the demo users, merchants and catalog unless the demo operator already exists.

    Runs in one transaction: after it, either all of the demo data is there or none of it.
    The districts come from the accounts migration; raises ``DistrictsMissing`` without them.
    """
    with transaction.atomic():
        if User.objects.filter(username=MARKER_USERNAME).exists():
            return DemoLoadResult(
                is_loaded_now=False, logins_added=add_missing_merchant_logins()
            )
        districts = _find_districts()
        merchants = load_merchants(districts=districts)
        users = load_users(districts=districts, merchants=merchants)
        cards = load_cards(users=users)
        load_couriers(users=users, districts=districts)
        categories = load_categories()
        product_ids = load_products(merchants=merchants, categories=categories)
        reindex_products(product_ids=product_ids)
    return DemoLoadResult(
        is_loaded_now=True,
        users=len(users),
        merchants=len(merchants),
        categories=len(categories),
        products=len(product_ids),
        cards=len(cards),
    )


def _find_districts() -> dict[str, District]:
    districts = {district.code: district for district in District.objects.all()}
    needed = (
        {spec.district for spec in MERCHANTS}
        | {user.home.district for user in DEMO_USERS if user.home}
        | {spec.district for spec in DEMO_COURIERS}
    )
    missing = needed - districts.keys()
    if missing:
        message = (
            f"districts {sorted(missing)} are missing: run `manage.py migrate` first"
        )
        raise DistrictsMissing(message)
    return districts


def load_merchants(*, districts: dict[str, District]) -> dict[str, Merchant]:
    """Create the demo merchants with their opening hours; return them by slug."""
    merchants = Merchant.objects.bulk_create(
        [
            Merchant(
                slug=spec.slug,
                kind=spec.kind,
                name=spec.name,
                name_en=spec.name_en,
                description=spec.description,
                description_en=spec.description_en,
                district=districts[spec.district],
                address=spec.address,
                phone=spec.phone,
                preparation_minutes=spec.preparation_minutes,
            )
            for spec in MERCHANTS
        ]
    )
    by_slug = {merchant.slug: merchant for merchant in merchants}
    OpeningHours.objects.bulk_create(
        OpeningHours(
            merchant=by_slug[spec.slug],
            weekday=period.weekday,
            opens_at=period.opens_at,
            closes_at=period.closes_at,
        )
        for spec in MERCHANTS
        for period in spec.hours
    )
    for merchant in merchants:
        merchant.ledger_account_id = open_settlement_account(merchant_id=merchant.pk)
    return by_slug


def all_demo_logins() -> tuple[DemoUser, ...]:
    """Return the named demo logins, then one staff login per demo merchant (its slug)."""
    return DEMO_USERS + merchant_staff_logins(
        (spec.slug, spec.name, spec.phone) for spec in MERCHANTS
    )


def load_users(
    *, districts: dict[str, District], merchants: dict[str, Merchant]
) -> dict[str, User]:
    """Create the demo logins with their roles, home addresses and staff memberships."""
    users = _create_logins(all_demo_logins(), merchants=merchants)
    Address.objects.bulk_create(
        Address(
            user=users[spec.username],
            label="집",
            district=districts[spec.home.district],
            detail=spec.home.detail,
            is_default=True,
        )
        for spec in DEMO_USERS
        if spec.home
    )
    # The demo shoppers' phones are the demo's own: verified, so they may pay at the door.
    for spec in DEMO_USERS:
        if spec.role == Role.SHOPPER and spec.phone:
            record_verified_phone(user_id=users[spec.username].pk)
    return users


def add_missing_merchant_logins() -> int:
    """Give each demo merchant of an earlier load its staff login, if it has none yet.

    Demo data loaded before every merchant had a login gets them on the next load; a login
    name already taken (by anyone) is left alone. Returns how many were added.
    """
    merchants = {
        merchant.slug: merchant
        for merchant in Merchant.objects.filter(slug__in=[s.slug for s in MERCHANTS])
    }
    taken = set(
        User.objects.filter(username__in=list(merchants)).values_list(
            "username", flat=True
        )
    )
    wanted = [
        spec
        for spec in merchant_staff_logins(
            (spec.slug, spec.name, spec.phone) for spec in MERCHANTS
        )
        if spec.merchant in merchants and spec.username not in taken
    ]
    return len(_create_logins(wanted, merchants=merchants))


def _create_logins(
    specs: tuple[DemoUser, ...] | list[DemoUser], *, merchants: dict[str, Merchant]
) -> dict[str, User]:
    """Create ``specs`` with their roles and staff memberships; return them by login."""
    if not specs:
        return {}
    # One hash for every demo login: Argon2 is slow on purpose (about 0.2 s a hash), and
    # these passwords are published in the README anyway.
    password_hash = make_password(DEMO_PASSWORD)
    users = {}
    for spec in specs:
        user = User(
            username=spec.username,
            display_name=spec.display_name,
            phone=spec.phone,
            password=password_hash,
            is_staff=spec.is_admin,
            is_superuser=spec.is_admin,
        )
        user.save()
        users[spec.username] = user
    RoleGrant.objects.bulk_create(
        RoleGrant(user=users[spec.username], role=spec.role) for spec in specs
    )
    MerchantStaff.objects.bulk_create(
        MerchantStaff(
            merchant=merchants[spec.merchant],
            user=users[spec.username],
            role=spec.staff_role,
        )
        for spec in specs
        if spec.merchant
    )
    return users


def load_categories() -> dict[str, Category]:
    """Create the category tree; return every category by slug."""
    groups = Category.objects.bulk_create(
        Category(
            slug=group.slug, name=group.name, name_en=group.name_en, sort_order=index
        )
        for index, group in enumerate(CATEGORY_TREE, start=1)
    )
    leaves = Category.objects.bulk_create(
        Category(
            parent=parent,
            slug=leaf.slug,
            name=leaf.name,
            name_en=leaf.name_en,
            sort_order=index,
        )
        for parent, group in zip(groups, CATEGORY_TREE, strict=True)
        for index, leaf in enumerate(group.children, start=1)
    )
    return {category.slug: category for category in groups + leaves}


def load_products(
    *, merchants: dict[str, Merchant], categories: dict[str, Category]
) -> list[int]:
    """Create every merchant's products with their received stock; return their ids.

    Stock is loaded as received goods: ``stock_received`` equals ``stock_on_hand`` and a
    receipt movement is recorded, as ``catalog.services.receive_stock`` would do one by one.
    """
    keys = [
        (spec, key, variant)
        for spec in MERCHANTS
        for key in spec.items
        for variant in ALL_ITEMS[key].variants
    ]
    products = [
        _build_product(spec, merchants[spec.slug], categories, ALL_ITEMS[key], variant)
        for spec, key, variant in keys
    ]
    created = Product.objects.bulk_create(products)
    load_dish_options(
        {
            product.pk: key
            for product, (_spec, key, _v) in zip(created, keys, strict=True)
        }
    )
    StockMovement.objects.bulk_create(
        StockMovement(
            product=product,
            kind=StockMovementKind.RECEIVED,
            quantity_change=product.stock_on_hand,
            on_hand_after=product.stock_on_hand,
            changed_by=None,
            note=STOCK_NOTE,
        )
        for product in created
        if product.stock_on_hand > 0
    )
    return [product.pk for product in created]


def _build_product(
    spec: MerchantSpec,
    merchant: Merchant,
    categories: dict[str, Category],
    item: Item,
    variant: Variant,
) -> Product:
    stock = stock_quantity(merchant_slug=spec.slug, item=item, variant=variant)
    # A dish is cooked to order: no stock, but a day's capacity and a sold-out switch.
    capacity = (
        daily_capacity(merchant_slug=spec.slug, item=item, variant=variant)
        if item.is_made_to_order
        else None
    )
    if capacity is not None:
        stock = 0
    product = Product(
        merchant=merchant,
        category=categories[item.category],
        name=item.product_name(variant),
        name_en=item.product_name_en(variant),
        description=item.description,
        description_en=item.description_en,
        unit=item.unit.name,
        unit_en=item.unit.name_en,
        price_won=price_for(base_won=variant.price_won, percent=spec.price_percent),
        weight_grams=variant.weight_grams,
        size_class=variant.size_class,
        is_made_to_order=item.is_made_to_order,
        daily_capacity=capacity,
        is_sold_out=capacity is not None and (spec.slug, item.key) in SOLD_OUT,
        preparation_minutes=DISH_PREPARATION_MINUTES.get(item.key),
        purchase_limit_per_day=item.purchase_limit_per_day,
        stock_on_hand=stock,
        stock_received=stock,
    )
    prepare_search_fields(product)
    return product


def load_dish_options(item_keys: dict[int, str]) -> None:
    """Give each dish (product id → item key) its option groups and options, two INSERTs."""
    wanted = [
        (product_id, index, group_spec)
        for product_id, key in item_keys.items()
        for index, group_spec in enumerate(DISH_OPTIONS.get(key, ()))
    ]
    groups = OptionGroup.objects.bulk_create(
        OptionGroup(
            product_id=product_id,
            name=spec.name,
            name_en=spec.name_en,
            choice=spec.choice,
            sort_order=index,
        )
        for product_id, index, spec in wanted
    )
    Option.objects.bulk_create(
        Option(
            group=group,
            name=option.name,
            name_en=option.name_en,
            price_change_won=option.price_change_won,
            sort_order=index,
        )
        for group, (_product_id, _index, spec) in zip(groups, wanted, strict=True)
        for index, option in enumerate(spec.options)
    )


def daily_capacity(*, merchant_slug: str, item: Item, variant: Variant) -> int:
    """Return how many portions of a dish the kitchen makes a day, the same every load."""
    assert item.is_made_to_order
    lowest, highest = STOCK_RANGE_DISH
    checksum = zlib.crc32(f"{merchant_slug}/{item.key}/{variant.label}".encode())
    return lowest + checksum % (highest - lowest + 1)


def price_for(*, base_won: int, percent: int) -> int:
    """Return ``percent`` of a base price, rounded to the nearest 10 won (never below 10)."""
    assert base_won > 0
    assert percent > 0
    return max(10, (base_won * percent + 500) // 1000 * 10)


def stock_quantity(*, merchant_slug: str, item: Item, variant: Variant) -> int:
    """Return the demo stock of one product: the same every load, spread by a checksum.

    Dishes get a day's kitchen capacity, rationed goods little, bulky goods a few.
    """
    if (merchant_slug, item.key) in SOLD_OUT:
        return 0
    if item.is_made_to_order:
        lowest, highest = STOCK_RANGE_DISH
    elif item.purchase_limit_per_day is not None:
        lowest, highest = STOCK_RANGE_LIMITED
    else:
        lowest, highest = STOCK_RANGE_BY_SIZE.get(variant.size_class, STOCK_RANGE_SMALL)
    checksum = zlib.crc32(f"{merchant_slug}/{item.key}/{variant.label}".encode())
    return lowest + checksum % (highest - lowest + 1)
