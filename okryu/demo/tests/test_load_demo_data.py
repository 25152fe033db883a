import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from okryu.accounts.models import Address, District, Role, RoleGrant, User
from okryu.accounts.phone_verification import is_phone_verified
from okryu.catalog.models import Category, Option, OptionGroup, Product, StockMovement
from okryu.catalog.options import load_option_menus
from okryu.demo import loading
from okryu.demo.assortment import ALL_ITEMS
from okryu.demo.cards import DEMO_CARDS
from okryu.demo.merchants import MERCHANTS, SOLD_OUT
from okryu.demo.users import DEMO_PASSWORD
from okryu.merchants.models import Merchant, MerchantKind, MerchantStaff, OpeningHours
from okryu.payments.cards import verify_pin
from okryu.payments.models import Card, LedgerAccount, LedgerAccountKind, Transfer
from okryu.payments.rules import is_card_number_well_formed

EXPECTED_PRODUCTS = sum(
    len(ALL_ITEMS[key].variants) for spec in MERCHANTS for key in spec.items
)
EXPECTED_SOLD_OUT = sum(
    len(ALL_ITEMS[key].variants)
    for _slug, key in SOLD_OUT
    if not ALL_ITEMS[key].is_made_to_order
)
# Dishes have no stock: a daily capacity, and the sold-out switch for those sold out.
EXPECTED_DISHES = sum(
    len(ALL_ITEMS[key].variants)
    for spec in MERCHANTS
    for key in spec.items
    if ALL_ITEMS[key].is_made_to_order
)
EXPECTED_SOLD_OUT_DISHES = sum(
    len(ALL_ITEMS[key].variants)
    for _slug, key in SOLD_OUT
    if ALL_ITEMS[key].is_made_to_order
)


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        User, RoleGrant, Address, Merchant, MerchantStaff, OpeningHours, Category,
        Product, StockMovement, District, Card, LedgerAccount, Transfer,
    ]  # fmt: skip
    return {model.__name__: model._default_manager.count() for model in models}


@pytest.mark.django_db
def test_loading_creates_merchants_of_every_kind_in_pyongyang_districts_and_other_cities():
    output = load()

    merchants = Merchant.objects.select_related("district")
    pyongyang_districts = {
        m.district.code for m in merchants if m.district.city == "평양"
    }
    other_cities = {m.district.city for m in merchants if m.district.city != "평양"}
    kinds = Counter(merchants.values_list("kind", flat=True))
    assert merchants.count() == len(MERCHANTS) == 45
    assert len(pyongyang_districts) == 17
    assert other_cities == {"남포", "개성", "함흥", "원산", "신의주", "평성"}
    assert kinds == {"restaurant": 9, "factory": 16, "store": 12, "pharmacy": 8}
    assert "Demo data loaded" in output
    assert "http://127.0.0.1:" in output


@pytest.mark.django_db
def test_merchants_have_opening_hours_and_restaurants_a_preparation_time():
    load()

    weekdays = dict(
        Merchant.objects.annotate(
            days=Count("opening_hours__weekday", distinct=True)
        ).values_list("slug", "days")
    )
    round_the_clock = OpeningHours.objects.filter(
        merchant__slug="pyongyang-pharmacy-1", opens_at="00:00", closes_at="00:00"
    )
    okryu = Merchant.objects.get(slug="okryu-gwan")
    assert min(weekdays.values()) == 6
    assert weekdays["okryu-gwan"] == 7
    assert weekdays["chongryu-gwan"] == 6
    assert round_the_clock.count() == 7
    assert set(okryu.opening_hours.values_list("opens_at", "closes_at")) == {
        (dt.time(11), dt.time(21))
    }
    assert not Merchant.objects.filter(
        kind=MerchantKind.RESTAURANT, preparation_minutes=0
    ).exists()
    assert okryu.preparation_minutes == 20


@pytest.mark.django_db
def test_loading_creates_the_catalog_with_prices_weights_and_balanced_stock():
    load()

    products = Product.objects.all()
    unbalanced = products.exclude(
        stock_received=F("stock_on_hand") + F("stock_sold") - F("stock_adjusted")
    )
    assert products.count() == EXPECTED_PRODUCTS
    assert products.count() >= 600
    assert not products.filter(Q(price_won__lte=0) | Q(weight_grams__lte=0)).exists()
    assert unbalanced.count() == 0
    assert products.exclude(stock_reserved=0).count() == 0
    assert products.filter(stock_on_hand=0).count() == (
        EXPECTED_SOLD_OUT + EXPECTED_DISHES
    )
    assert products.filter(is_sold_out=True).count() == EXPECTED_SOLD_OUT_DISHES
    assert products.filter(category__children__isnull=False).count() == 0
    assert products.filter(search_text="").count() == 0


@pytest.mark.django_db
def test_received_stock_is_recorded_as_one_receipt_per_stocked_product():
    load()

    stocked = Product.objects.filter(stock_on_hand__gt=0)
    receipts = StockMovement.objects.filter(
        kind="received", note="demo", quantity_change=F("product__stock_on_hand")
    )
    assert (
        receipts.count()
        == stocked.count()
        == (EXPECTED_PRODUCTS - EXPECTED_SOLD_OUT - EXPECTED_DISHES)
    )


@pytest.mark.django_db
def test_the_catalog_has_purchase_limits_dishes_and_north_korean_spellings():
    load()

    products = Product.objects.all()
    limited = products.filter(purchase_limit_per_day__isnull=False)
    dishes = products.filter(is_made_to_order=True)
    assert set(limited.values_list("purchase_limit_per_day", flat=True)) == {1, 2}
    assert limited.filter(name="우황청심환", purchase_limit_per_day=2).exists()
    assert set(dishes.values_list("category__parent__name", flat=True)) == {"료리"}
    assert dishes.filter(merchant__slug="okryu-gwan", name="평양랭면").exists()
    assert dishes.filter(daily_capacity__isnull=True).count() == 0
    assert (
        products.filter(is_made_to_order=False, daily_capacity__isnull=False).count()
        == 0
    )
    for spelling in ("랭면", "로동", "료리", "녀자"):
        assert products.filter(name__contains=spelling).exists(), spelling
    assert products.filter(name="료리용 간장 900ml").exists()
    assert products.filter(name="로동화 250mm", merchant__slug="ryuwon-shoes").exists()
    assert products.filter(name="녀자양말").exists()


@pytest.mark.django_db
def test_every_demo_login_authenticates_with_the_demo_password_and_has_its_role():
    load()

    expected_roles = {
        "operator": Role.OPERATOR, "teller": Role.TELLER,
        "shopper1": Role.SHOPPER, "shopper2": Role.SHOPPER, "shopper3": Role.SHOPPER,
        "courier1": Role.COURIER, "courier2": Role.COURIER, "courier3": Role.COURIER,
        "courier4": Role.COURIER, "courier5": Role.COURIER,
        "store1": Role.MERCHANT, "factory1": Role.MERCHANT,
        "restaurant1": Role.MERCHANT, "pharmacy1": Role.MERCHANT,
    }  # fmt: skip
    for username, role in expected_roles.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert list(user.role_grants.values_list("role", flat=True)) == [role]
    assert authenticate(username="shopper1", password="wrong-password") is None
    operator = User.objects.get(username="operator")
    assert (operator.is_staff, operator.is_superuser) == (True, True)
    assert User.objects.filter(is_staff=True).count() == 1


@pytest.mark.django_db
def test_staff_logins_own_a_merchant_of_their_kind_and_shoppers_have_a_home():
    load()

    memberships = {
        membership.user.username: (membership.merchant.kind, membership.role)
        for membership in MerchantStaff.objects.select_related("user", "merchant")
        if membership.user.username != membership.merchant.slug
    }
    homes = Address.objects.filter(is_default=True).select_related("user", "district")
    assert memberships == {
        "store1": ("store", "owner"),
        "factory1": ("factory", "owner"),
        "restaurant1": ("restaurant", "owner"),
        "pharmacy1": ("pharmacy", "owner"),
    }
    assert (
        MerchantStaff.objects.get(user__username="restaurant1").merchant.name
        == "옥류관"
    )
    assert sorted(address.user.username for address in homes) == [
        "shopper1",
        "shopper2",
        "shopper3",
    ]
    assert {address.district.city for address in homes} == {"평양"}
    assert all(address.user.phone.startswith("19") for address in homes)


@pytest.mark.django_db
def test_the_demo_shoppers_phones_are_verified_so_they_may_pay_at_the_door_at_once():
    load()

    shoppers = User.objects.filter(role_grants__role=Role.SHOPPER)

    assert sorted(user.username for user in shoppers) == [
        "shopper1",
        "shopper2",
        "shopper3",
    ]
    assert all(is_phone_verified(user.pk) for user in shoppers)
    assert not is_phone_verified(User.objects.get(username="operator").pk)


@pytest.mark.django_db
def test_a_second_load_changes_nothing_and_says_it_skipped():
    load()
    before = row_counts()

    output = load()

    assert row_counts() == before
    assert "skipped" in output
    assert before["Product"] == EXPECTED_PRODUCTS


@pytest.mark.django_db
def test_a_load_that_fails_half_way_leaves_nothing_behind(monkeypatch):
    before = row_counts()

    def broken_catalog(**kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(loading, "load_products", broken_catalog)
    with pytest.raises(RuntimeError, match="power cut"):
        load()

    assert row_counts() == before
    assert before["User"] == 0


@pytest.mark.django_db
def test_loading_without_the_districts_is_refused_and_creates_nothing():
    District.objects.all().delete()

    with pytest.raises(CommandError, match="migrate"):
        load()

    assert User.objects.count() == 0
    assert Merchant.objects.count() == 0


@pytest.mark.django_db
def test_every_demo_shopper_gets_a_funded_card_with_the_published_number_and_pin():
    output = load()

    cards = {
        card.holder.username: card
        for card in Card.objects.select_related("holder", "ledger_account")
    }
    assert set(cards) == {"shopper1", "shopper2", "shopper3"}
    assert len({spec.pin for spec in DEMO_CARDS}) == len(DEMO_CARDS)
    for spec in DEMO_CARDS:
        card = cards[spec.holder]
        assert card.number == spec.number
        assert is_card_number_well_formed(card.number)
        assert card.number.startswith("9410")
        assert card.ledger_account.balance_won == spec.top_up_won
        assert verify_pin(card_number=card.number, pin=spec.pin) is not None
        assert spec.number in output
        assert spec.pin in output
    assert "Demo cards" in output


@pytest.mark.django_db
def test_every_demo_merchant_has_its_own_settlement_account():
    load()

    merchants = list(Merchant.objects.all())
    account_ids = {
        merchant.ledger_account_id
        for merchant in merchants
        if merchant.ledger_account_id is not None
    }
    assert len(account_ids) == len(merchants)
    assert LedgerAccount.objects.filter(
        pk__in=account_ids, kind=LedgerAccountKind.MERCHANT
    ).count() == len(merchants)


@pytest.mark.django_db
def test_okryu_gwans_cold_noodles_have_a_large_portion_and_extras_at_won_prices():
    load()

    noodles = Product.objects.get(merchant__slug="okryu-gwan", name="평양랭면")
    menu = load_option_menus([noodles.pk])[noodles.pk]

    assert [
        (
            group.name,
            group.choice,
            [(o.name, o.price_change_won) for o in group.options],
        )
        for group in menu.groups
    ] == [
        ("양", "one", [("보통", 0), ("곱빼기", 2_000)]),
        (
            "추가",
            "any",
            [("사리 추가", 1_500), ("계란 추가", 500), ("편육 추가", 3_000)],
        ),
    ]
    assert 60 <= (noodles.daily_capacity or 0) <= 240
    assert (noodles.stock_on_hand, noodles.is_sold_out) == (0, False)


@pytest.mark.django_db
def test_a_second_load_adds_no_option():
    load()
    counts = (OptionGroup.objects.count(), Option.objects.count())

    load()

    assert (OptionGroup.objects.count(), Option.objects.count()) == counts
    assert counts[0] > 0


@pytest.mark.django_db
def test_every_demo_merchant_has_a_staff_login_named_after_its_slug():
    load()

    for spec in MERCHANTS:
        user = authenticate(username=spec.slug, password=DEMO_PASSWORD)
        assert user is not None, spec.slug
        assert list(user.role_grants.values_list("role", flat=True)) == [Role.MERCHANT]
        memberships = list(
            MerchantStaff.objects.filter(user=user).values_list(
                "merchant__slug", "role"
            )
        )
        assert memberships == [(spec.slug, "staff")]
        assert user.display_name == f"{spec.name} 직원"
    assert not Merchant.objects.exclude(staff__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_load_gives_an_earlier_load_its_missing_merchant_logins():
    load()
    User.objects.filter(username__in=["okryu-gwan", "unjong-pharmacy"]).delete()
    before = row_counts()

    output = load()

    after = row_counts()
    assert after["User"] == before["User"] + 2
    assert after["MerchantStaff"] == before["MerchantStaff"] + 2
    assert after["Product"] == before["Product"]
    assert "Added the staff logins of 2 merchants." in output
    okryu_gwan = authenticate(username="okryu-gwan", password=DEMO_PASSWORD)
    assert okryu_gwan is not None
    assert okryu_gwan.merchant_memberships.get().merchant.name == "옥류관"
