"""Categories, products and their stock."""

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from okryu.catalog.korean import search_columns
from okryu.merchants.models import Merchant


class Category(models.Model):
    """A node of the category tree (식료품 › 국수)."""

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("이름"), max_length=60)
    name_en = models.CharField(max_length=60)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="category_not_its_own_parent"
            )
        ]

    @override
    def __str__(self) -> str:
        return self.name


class SizeClass(models.TextChoices):
    """How bulky a product is to carry; the delivery rules choose a vehicle from it."""

    SMALL = "small", _("소형")
    MEDIUM = "medium", _("중형")
    LARGE = "large", _("대형")
    BULKY = "bulky", _("특대형")


class Product(models.Model):
    """Something a merchant sells, with its price in won and its stock.

    Stock bookkeeping: ``stock_received + stock_adjusted == stock_on_hand + stock_sold`` always
    (what came in, corrected by counts, is either still here or was sold). ``stock_reserved`` is
    the part of ``stock_on_hand`` promised to placed orders.
    """

    PRICE_WON_MAX = 100_000_000
    DAILY_CAPACITY_MAX = 100_000
    PREPARATION_MINUTES_MAX = 24 * 60
    WEIGHT_GRAMS_MAX = 1_000_000
    NAME_LENGTH_MAX = 120

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("이름"), max_length=NAME_LENGTH_MAX)
    name_en = models.CharField(max_length=NAME_LENGTH_MAX)
    description = models.TextField(_("설명"), blank=True)
    description_en = models.TextField(blank=True)
    unit = models.CharField(_("단위"), max_length=30)
    unit_en = models.CharField(max_length=30, blank=True)
    price_won = models.PositiveIntegerField(_("가격(원)"))
    weight_grams = models.PositiveIntegerField(_("무게(g)"))
    size_class = models.CharField(
        _("크기"), max_length=10, choices=SizeClass.choices, default=SizeClass.SMALL
    )
    is_made_to_order = models.BooleanField(_("주문 후 조리"), default=False)
    purchase_limit_per_day = models.PositiveIntegerField(
        _("하루 구매 한도"), null=True, blank=True
    )
    # A fair share of a scarce product: at most this many units per shopper over the last
    # ``purchase_limit_period_days`` Pyongyang days, today included (okryu.orders
    # .period_limits); both set or both null. Set by the merchant's staff or an operator.
    purchase_limit_per_period = models.PositiveIntegerField(
        _("기간 구매 한도"), null=True, blank=True
    )
    purchase_limit_period_days = models.PositiveSmallIntegerField(
        _("한도 기간(일)"), null=True, blank=True
    )
    # A dish's portions per (Pyongyang) day, taken at checkout instead of stock
    # (okryu.catalog.portions); null for goods sold from stock.
    daily_capacity = models.PositiveIntegerField(
        _("하루 조리 수량"), null=True, blank=True
    )
    is_sold_out = models.BooleanField(_("품절"), default=False)
    # Null: the merchant's own preparation_minutes.
    preparation_minutes = models.PositiveSmallIntegerField(
        _("조리 시간(분)"), null=True, blank=True
    )
    # Portions taken on ``portions_day``; a later day starts again from 0.
    portions_day = models.DateField(null=True, blank=True, editable=False)
    portions_taken = models.IntegerField(default=0, editable=False)
    stock_on_hand = models.IntegerField(default=0)
    stock_reserved = models.IntegerField(default=0)
    # The part of ``stock_on_hand`` offered to waitlist entries (okryu.catalog.waitlist) and
    # held for them: neither reserved for an order nor available to anyone else.
    stock_offered = models.IntegerField(default=0)
    stock_received = models.BigIntegerField(default=0)
    stock_sold = models.BigIntegerField(default=0)
    stock_adjusted = models.BigIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Set through okryu.catalog.products.set_product_photo: the photo at most 1200 px and a
    # thumbnail at most 200 px, both re-encoded (no uploaded bytes are served as they came).
    photo = models.ImageField(upload_to="products/", blank=True)
    thumbnail = models.ImageField(upload_to="products/thumbnails/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived from name and name_en for Korean search (okryu.catalog.korean.search_columns);
    # save() keeps them right, bulk writers call okryu.catalog.search.reindex_products.
    # Their trigram indexes are made per database by migration 0004, not declared here.
    search_text = models.TextField(default="", editable=False)
    search_initials = models.TextField(default="", editable=False)
    # The name's romanizations (okryu.catalog.romanization), trigram-indexed by migration 0009.
    search_roman = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["category", "is_active", "price_won"]),
            models.Index(fields=["category", "is_active", "name"]),
            models.Index(fields=["category", "is_active", "-created_at"]),
            models.Index(fields=["merchant", "is_active", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock_on_hand__gte=0), name="product_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(stock_reserved__gte=0), name="product_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(stock_reserved__lte=F("stock_on_hand")),
                name="product_reserved_within_on_hand",
            ),
            models.CheckConstraint(
                condition=Q(stock_offered__gte=0)
                & Q(stock_on_hand__gte=F("stock_reserved") + F("stock_offered")),
                name="product_offered_within_on_hand",
            ),
            models.CheckConstraint(
                condition=Q(price_won__gt=0, price_won__lte=100_000_000),
                name="product_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(purchase_limit_per_day__isnull=True)
                | Q(purchase_limit_per_day__gt=0),
                name="product_purchase_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(
                    purchase_limit_per_period__isnull=True,
                    purchase_limit_period_days__isnull=True,
                )
                | Q(
                    purchase_limit_per_period__gt=0,
                    purchase_limit_period_days__gte=1,
                    purchase_limit_period_days__lte=366,
                ),
                name="product_period_limit_whole",
            ),
            models.CheckConstraint(
                condition=Q(size_class__in=SizeClass.values),
                name="product_size_class_known",
            ),
            models.CheckConstraint(
                condition=Q(portions_taken__gte=0)
                & (
                    Q(daily_capacity__isnull=True)
                    | Q(portions_taken__lte=F("daily_capacity"))
                ),
                name="product_portions_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(daily_capacity__isnull=True) | Q(is_made_to_order=True),
                name="product_capacity_only_for_dishes",
            ),
            models.CheckConstraint(
                condition=Q(preparation_minutes__isnull=True)
                | Q(preparation_minutes__lte=24 * 60),
                name="product_preparation_minutes_bounded",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.name

    @override
    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only the row's own derived columns, computed by a pure rule: no side effects.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"name", "name_en"} & set(update_fields):
            columns = search_columns(name=self.name, name_en=self.name_en)
            self.search_text, self.search_initials = columns.text, columns.initials
            self.search_roman = columns.roman
            if update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    "search_text",
                    "search_initials",
                    "search_roman",
                }
        super().save(*args, **kwargs)

    @property
    def stock_available(self) -> int:
        """Units that can still be ordered now (offered waitlist units are not)."""
        return self.stock_on_hand - self.stock_reserved - self.stock_offered

    @property
    def effective_preparation_minutes(self) -> int:
        """This dish's preparation time, or else its merchant's (load ``merchant`` along)."""
        if self.preparation_minutes is not None:
            return self.preparation_minutes
        return self.merchant.preparation_minutes

    @property
    def sells_portions(self) -> bool:
        """Whether checkout takes this product's portions from a daily capacity, not stock."""
        return self.is_made_to_order and self.daily_capacity is not None

    def portions_left_on(self, day: dt.date) -> int:
        """Portions that can still be ordered on ``day`` (0 when sold out).

        Only for products that sell portions; ``day`` comes from
        ``okryu.catalog.portions.portions_day_at``.
        """
        assert self.daily_capacity is not None
        if self.is_sold_out or not self.is_active:
            return 0
        taken = self.portions_taken if self.portions_day == day else 0
        return max(self.daily_capacity - taken, 0)


class OptionChoice(models.TextChoices):
    """How many options of a group the shopper picks."""

    ONE = "one", _("하나를 고르십시오")
    ANY = "any", _("원하는 만큼 고르십시오")


class OptionGroup(models.Model):
    """A choice on a product (양: 보통/곱빼기; 추가: 사리, 계란), with its options.

    A group of ``ONE`` needs exactly one of its options on every line; a group of ``ANY``
    takes none, some or all.
    """

    NAME_LENGTH_MAX = 60
    GROUPS_PER_PRODUCT_MAX = 5

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="option_groups"
    )
    name = models.CharField(_("이름"), max_length=NAME_LENGTH_MAX)
    name_en = models.CharField(max_length=NAME_LENGTH_MAX)
    choice = models.CharField(
        _("고르는 방법"), max_length=3, choices=OptionChoice.choices
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(choice__in=OptionChoice.values),
                name="option_group_choice_known",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.name


class Option(models.Model):
    """One option of a group, with what it adds to (or takes from) the unit price in won."""

    NAME_LENGTH_MAX = 60
    OPTIONS_PER_GROUP_MAX = 10
    PRICE_CHANGE_WON_MAX = 1_000_000

    group = models.ForeignKey(
        OptionGroup, on_delete=models.CASCADE, related_name="options"
    )
    name = models.CharField(_("이름"), max_length=NAME_LENGTH_MAX)
    name_en = models.CharField(max_length=NAME_LENGTH_MAX)
    price_change_won = models.IntegerField(_("가격 변동(원)"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_change_won__gte=-1_000_000)
                & Q(price_change_won__lte=1_000_000),
                name="option_price_change_bounded",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.name


class StockMovementKind(models.TextChoices):
    """Why a product's stock changed."""

    RECEIVED = "received", _("입고")
    COUNTED = "counted", _("재고 조사")


class StockMovement(models.Model):
    """A change of stock by a person (goods received, a count), kept as history."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="movements"
    )
    kind = models.CharField(max_length=10, choices=StockMovementKind.choices)
    quantity_change = models.IntegerField()
    on_hand_after = models.IntegerField()
    changed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @override
    def __str__(self) -> str:
        return f"{self.product_id} {self.kind} {self.quantity_change:+d}"


class WaitlistStatus(models.TextChoices):
    """Where a waitlist entry stands (API.md "Waitlists and insights")."""

    WAITING = "waiting", _("기다리는 중")
    OFFERED = "offered", _("구매 가능")
    ORDERED = "ordered", _("주문함")
    EXPIRED = "expired", _("기한 지남")
    CANCELLED = "cancelled", _("취소함")


ACTIVE_WAITLIST_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    """A shopper waiting for units of a sold-out product, served in the order of ``id``.

    When stock is received, waiting entries are offered their quantity (or what is left) and
    the units are held for them (``Product.stock_offered``) until ``offered_until``.
    """

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    shopper = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    quantity = models.PositiveIntegerField()
    # Where the offer is announced: the shopper's phone, or their newest card's.
    phone = models.CharField(max_length=20)
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    offered_quantity = models.PositiveIntegerField(default=0)
    offered_at = models.DateTimeField(null=True, blank=True)
    offered_until = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["product", "status", "id"]),
            models.Index(fields=["shopper", "-id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "shopper"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_active_entry_per_shopper",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="waitlist_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(offered_quantity__lte=F("quantity")),
                name="waitlist_offer_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitlistStatus.values),
                name="waitlist_status_known",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.product_id} x{self.quantity} {self.status}"


class UnmetDemandKind(models.TextChoices):
    """How a shopper asked for units that were not there."""

    REFUSED = "refused", _("품절로 거절된 주문")
    WAITLISTED = "waitlisted", _("입고 알림 신청")


class UnmetDemand(models.Model):
    """Units a shopper asked for and could not get, when, and for which district.

    Not tied to a person: the producers' reports need what and where, not who.
    """

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="unmet_demand"
    )
    kind = models.CharField(max_length=10, choices=UnmetDemandKind.choices)
    quantity = models.PositiveIntegerField()
    district = models.ForeignKey(
        "accounts.District", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["product", "at"]), models.Index(fields=["at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="unmet_demand_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=UnmetDemandKind.values),
                name="unmet_demand_kind_known",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.product_id} {self.kind} {self.quantity}"


class EmptySearch(models.Model):
    """How many searches for ``query`` found nothing on ``day`` (Pyongyang date)."""

    QUERY_LENGTH_MAX = 100

    day = models.DateField()
    query = models.CharField(max_length=QUERY_LENGTH_MAX)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "-count"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "query"], name="empty_search_one_row_per_day"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.day} {self.query} {self.count}"


class SoldOutView(models.Model):
    """How many times a sold-out product's page was viewed on ``day`` (Pyongyang date)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="sold_out_views"
    )
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "day"], name="sold_out_view_one_row_per_day"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.product_id} {self.day} {self.count}"
