"""The merchant's pages: the order queue, products and stock, each only for its own staff."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from okryu.accounts.models import Role, RoleGrant, User
from okryu.accounts.tests.factories import ShopperFactory, UserFactory
from okryu.catalog.models import Product, StockMovement
from okryu.catalog.tests.factories import CategoryFactory
from okryu.merchants.models import MerchantStaff
from okryu.merchants.tests.factories import MerchantFactory
from okryu.orders.models import Fulfilment
from okryu.web.tests.test_checkout_pages import stocked_product
from okryu.web.tests.test_order_pages import place

pytestmark = pytest.mark.django_db


def staff_of(merchant, *, role: Role = Role.MERCHANT) -> User:
    user: User = UserFactory.create(display_name="김직원")
    RoleGrant.objects.create(user=user, role=role)
    MerchantStaff.objects.create(merchant=merchant, user=user)
    return user


@pytest.fixture
def house():
    return MerchantFactory.create(name="옥류관")


@pytest.fixture
def noodles(house):
    return stocked_product(merchant=house, name="평양랭면", price_won=1200)


@pytest.fixture
def staff_client(client: Client, house):
    client.force_login(staff_of(house))
    return client


@pytest.fixture
def order(noodles):
    return place(ShopperFactory.create(), (noodles, 2))


def status_of(fulfilment_id: int) -> str:
    return Fulfilment.objects.get(pk=fulfilment_id).status


def post_action(client: Client, fulfilment_id: int, action: str, status: str):
    return client.post(
        reverse("merchant-queue-action", args=[fulfilment_id, action]),
        {"idempotency_key": f"{action}-{fulfilment_id}", "status": status},
    )


def test_the_queue_lists_placed_fulfilments_oldest_first(staff_client, noodles):
    shopper = ShopperFactory.create()
    first = place(shopper, (noodles, 1)).fulfilments.get()
    second = place(shopper, (noodles, 1)).fulfilments.get()
    place(shopper, (stocked_product(name="다른 집 물건"), 1))

    response = staff_client.get(reverse("merchant-queue"), {"status": "placed"})

    assert response.status_code == 200
    assert [f.pk for f in response.context["fulfilments"]] == [first.pk, second.pk]
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="20">' in page
    assert "<noscript>" in page
    assert 'defer src="/static/web/queue.js"' in page


def test_the_partial_queue_is_only_the_list(staff_client, order):
    response = staff_client.get(
        reverse("merchant-queue"), {"status": "placed", "partial": "1"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert order.number in page


def test_staff_move_a_fulfilment_through_accept_preparing_and_ready(
    staff_client, order
):
    fulfilment_id = order.fulfilments.get().pk

    steps = [
        (
            post_action(staff_client, fulfilment_id, action, tab),
            status_of(fulfilment_id),
        )
        for action, tab in (
            ("accept", "placed"),
            ("prepare", "accepted"),
            ("ready", "preparing"),
        )
    ]

    queue = reverse("merchant-queue")
    handled = f"&handled={fulfilment_id}"
    assert [(r.status_code, r["Location"], s) for r, s in steps] == [
        (302, f"{queue}?status=placed{handled}", "accepted"),
        (302, f"{queue}?status=accepted{handled}", "preparing"),
        (302, f"{queue}?status=preparing{handled}", "ready"),
    ]


def test_the_tabs_show_how_many_orders_wait_in_each(staff_client, noodles):
    orders = [place(ShopperFactory.create(), (noodles, 1)) for _ in range(3)]
    post_action(staff_client, orders[0].fulfilments.get().pk, "accept", "placed")

    page = staff_client.get(reverse("merchant-queue")).content.decode()

    counts = re.findall(
        r'status=(\w+)"[^>]*>[^<]+<span class="count">(\d+)</span>', page
    )
    assert counts == [
        ("placed", "2"),
        ("accepted", "1"),
        ("preparing", "0"),
        ("ready", "0"),
    ]


def test_an_order_just_accepted_stays_in_sight_with_its_new_state_and_next_move(
    staff_client, order
):
    fulfilment_id = order.fulfilments.get().pk

    response = post_action(staff_client, fulfilment_id, "accept", "placed")
    page = staff_client.get(response["Location"]).content.decode()

    handled = page[page.index('id="handled-title"') :]
    assert "방금 처리한 주문" in page
    assert order.number in handled
    assert '<b class="state">주문 확인</b>' in handled
    prepare = reverse("merchant-queue-action", args=[fulfilment_id, "prepare"])
    assert f'action="{prepare}"' in handled
    # The partial refresh keeps it in sight too.
    partial = staff_client.get(response["Location"] + "&partial=1").content.decode()
    assert "방금 처리한 주문" in partial


def test_someone_elses_order_is_never_shown_as_just_handled(client, order):
    other = MerchantFactory.create()
    client.force_login(staff_of(other))

    page = client.get(
        reverse("merchant-queue") + f"?handled={order.fulfilments.get().pk}"
    ).content.decode()

    assert "방금 처리한 주문" not in page
    assert order.number not in page


def test_rejecting_is_a_separate_link_after_the_main_button(staff_client, order):
    fulfilment_id = order.fulfilments.get().pk

    page = staff_client.get(reverse("merchant-queue")).content.decode()

    accept = page.index(
        reverse("merchant-queue-action", args=[fulfilment_id, "accept"])
    )
    reject = page.index(reverse("merchant-reject", args=[fulfilment_id]))
    assert accept < page.index('<p class="aside">') < reject


def test_a_double_click_on_accept_is_told_as_done(staff_client, order):
    fulfilment_id = order.fulfilments.get().pk

    post_action(staff_client, fulfilment_id, "accept", "placed")
    again = post_action(staff_client, fulfilment_id, "accept", "placed")

    assert again.status_code == 302
    assert status_of(fulfilment_id) == "accepted"


def test_a_move_the_state_machine_refuses_is_told_and_changes_nothing(
    staff_client, order
):
    fulfilment_id = order.fulfilments.get().pk

    response = post_action(staff_client, fulfilment_id, "ready", "placed")

    assert response.status_code == 409
    assert response.context["error"]
    assert status_of(fulfilment_id) == "placed"


def test_rejecting_needs_a_reason_and_tells_it_to_the_shopper(
    staff_client, order, noodles
):
    fulfilment_id = order.fulfilments.get().pk
    url = reverse("merchant-reject", args=[fulfilment_id])

    form = staff_client.get(url)
    without = staff_client.post(url, {"idempotency_key": "r1", "reason": ""})
    rejected = staff_client.post(
        url, {"idempotency_key": "r2", "reason": "면이 떨어졌습니다"}
    )

    assert form.status_code == 200
    assert without.status_code == 422
    assert without.context["form"].errors["reason"] == ["거절 이유를 쓰십시오."]
    assert rejected.status_code == 302
    fulfilment = Fulfilment.objects.get(pk=fulfilment_id)
    assert (fulfilment.status, fulfilment.rejection_reason) == (
        "rejected",
        "면이 떨어졌습니다",
    )
    noodles.refresh_from_db()
    assert noodles.stock_reserved == 0


def test_another_merchants_fulfilment_is_not_found(client: Client, order):
    client.force_login(staff_of(MerchantFactory.create()))
    fulfilment_id = order.fulfilments.get().pk

    accept = post_action(client, fulfilment_id, "accept", "placed")
    reject = client.get(reverse("merchant-reject", args=[fulfilment_id]))
    queue = client.get(reverse("merchant-queue"))

    assert (accept.status_code, reject.status_code) == (404, 404)
    assert list(queue.context["fulfilments"]) == []
    assert status_of(fulfilment_id) == "placed"


@pytest.mark.parametrize(
    "who", ["shopper", "merchant_role_without_membership", "member_without_role"]
)
def test_people_who_are_not_merchant_staff_are_forbidden(client: Client, house, who):
    user = ShopperFactory.create()
    if who == "merchant_role_without_membership":
        RoleGrant.objects.create(user=user, role=Role.MERCHANT)
    if who == "member_without_role":
        MerchantStaff.objects.create(merchant=house, user=user)
    client.force_login(user)

    responses = [
        client.get(reverse(name)) for name in ("merchant-queue", "merchant-products")
    ]

    assert [r.status_code for r in responses] == [403, 403]


def test_a_visitor_is_asked_to_log_in(client: Client):
    response = client.get(reverse("merchant-queue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_products_page_lists_only_the_merchants_own_products(staff_client, noodles):
    stocked_product(name="남의 상품")

    response = staff_client.get(reverse("merchant-products"))

    assert [p.pk for p in response.context["products"]] == [noodles.pk]


def test_receiving_and_counting_stock_keep_a_history_of_who_did_it(
    staff_client, noodles
):
    receive = staff_client.post(
        reverse("merchant-stock-change", args=[noodles.pk, "receive"]),
        {
            "receive-idempotency_key": "s1",
            "receive-quantity": "5",
            "receive-note": "입고",
        },
    )
    count = staff_client.post(
        reverse("merchant-stock-change", args=[noodles.pk, "count"]),
        {"count-idempotency_key": "s2", "count-quantity": "12", "count-note": ""},
    )
    page = staff_client.get(reverse("merchant-stock", args=[noodles.pk]))

    assert (receive.status_code, count.status_code) == (302, 302)
    noodles.refresh_from_db()
    assert (noodles.stock_on_hand, noodles.stock_received) == (12, 15)
    assert [
        (m.kind, m.quantity_change, m.on_hand_after, str(m.changed_by))
        for m in page.context["history"]
    ] == [
        ("counted", -3, 12, "김직원"),
        ("received", 5, 15, "김직원"),
        ("received", 10, 10, "None"),
    ]


def test_receiving_twice_with_the_same_form_receives_once(staff_client, noodles):
    url = reverse("merchant-stock-change", args=[noodles.pk, "receive"])
    data = {"receive-idempotency_key": "s1", "receive-quantity": "5"}

    staff_client.post(url, data)
    staff_client.post(url, data)

    noodles.refresh_from_db()
    assert noodles.stock_on_hand == 15
    assert StockMovement.objects.filter(product=noodles).count() == 2


def test_a_count_below_what_orders_reserved_is_refused_and_changes_nothing(
    staff_client, noodles, order
):
    response = staff_client.post(
        reverse("merchant-stock-change", args=[noodles.pk, "count"]),
        {"count-idempotency_key": "s1", "count-quantity": "1"},
    )

    assert response.status_code == 409
    noodles.refresh_from_db()
    assert (noodles.stock_on_hand, noodles.stock_reserved) == (10, 2)
    assert StockMovement.objects.filter(product=noodles).count() == 1


def test_another_merchants_product_stock_is_not_found(staff_client):
    other = stocked_product(name="남의 상품")

    page = staff_client.get(reverse("merchant-stock", args=[other.pk]))
    receive = staff_client.post(
        reverse("merchant-stock-change", args=[other.pk, "receive"]),
        {"receive-idempotency_key": "s1", "receive-quantity": "5"},
    )

    assert (page.status_code, receive.status_code) == (404, 404)
    assert Product.objects.get(pk=other.pk).stock_on_hand == 10


def product_fields(**changes: str) -> dict[str, str]:
    fields = {
        "idempotency_key": "p1",
        "name": "평양랭면 곱배기",
        "name_en": "Pyongyang cold noodles, large",
        "category": str(CategoryFactory.create().pk),
        "price_won": "1500",
        "unit": "그릇",
        "unit_en": "bowl",
        "weight_grams": "900",
        "size_class": "small",
        "purchase_limit_per_day": "",
        "description": "",
        "description_en": "",
    }
    fields.update(changes)
    return fields


def test_staff_create_a_product_with_its_first_stock_once(staff_client, house):
    data = product_fields(merchant=str(house.pk), stock="7")

    first = staff_client.post(reverse("merchant-product-create"), data)
    second = staff_client.post(reverse("merchant-product-create"), data)

    product = Product.objects.get(name="평양랭면 곱배기")
    assert (
        first["Location"]
        == second["Location"]
        == reverse("merchant-product-edit", args=[product.pk])
    )
    assert (product.merchant_id, product.price_won, product.stock_on_hand) == (
        house.pk,
        1500,
        7,
    )
    assert str(StockMovement.objects.get(product=product).changed_by) == "김직원"


def test_a_product_for_another_merchant_cannot_be_created(staff_client):
    other = MerchantFactory.create()

    response = staff_client.post(
        reverse("merchant-product-create"),
        product_fields(merchant=str(other.pk), stock="0"),
    )

    assert response.status_code == 422
    assert Product.objects.filter(merchant=other).count() == 0


def test_staff_edit_the_price_and_fields_of_their_product(staff_client, noodles):
    response = staff_client.post(
        reverse("merchant-product-edit", args=[noodles.pk]),
        product_fields(price_won="1300", purchase_limit_per_day="4"),
    )

    assert response.status_code == 302
    noodles.refresh_from_db()
    assert (noodles.name, noodles.price_won, noodles.purchase_limit_per_day) == (
        "평양랭면 곱배기",
        1300,
        4,
    )


def test_a_bad_price_is_refused_and_changes_nothing(staff_client, noodles):
    response = staff_client.post(
        reverse("merchant-product-edit", args=[noodles.pk]),
        product_fields(price_won="0"),
    )

    assert response.status_code == 422
    assert "price_won" in response.context["form"].errors
    noodles.refresh_from_db()
    assert (noodles.name, noodles.price_won) == ("평양랭면", 1200)


def test_staff_withdraw_and_restore_their_product(staff_client, noodles):
    withdraw = reverse("merchant-product-withdraw", args=[noodles.pk, "withdraw"])
    restore = reverse("merchant-product-withdraw", args=[noodles.pk, "restore"])

    staff_client.post(withdraw, {"idempotency_key": "w1"})
    withdrawn = Product.objects.get(pk=noodles.pk).is_active
    staff_client.post(restore, {"idempotency_key": "w2"})

    assert withdrawn is False
    assert Product.objects.get(pk=noodles.pk).is_active is True


def test_a_photo_gets_a_small_thumbnail_shown_lazily(staff_client, noodles):
    image = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(image, format="PNG")
    upload = SimpleUploadedFile("noodles.png", image.getvalue(), "image/png")

    response = staff_client.post(
        reverse("merchant-product-photo", args=[noodles.pk]),
        {"idempotency_key": "ph1", "photo": upload},
    )

    assert response.status_code == 302
    noodles.refresh_from_db()
    with Image.open(noodles.thumbnail) as thumbnail:
        assert max(thumbnail.size) == 200
    page = staff_client.get(reverse("merchant-products")).content.decode()
    assert f'src="{noodles.thumbnail.url}"' in page
    assert 'loading="lazy"' in page


def test_a_file_that_is_not_a_picture_is_refused(staff_client, noodles):
    upload = SimpleUploadedFile("notes.png", b"not a picture", "image/png")

    response = staff_client.post(
        reverse("merchant-product-photo", args=[noodles.pk]),
        {"idempotency_key": "ph1", "photo": upload},
    )

    assert response.status_code == 422
    assert response.context["photo_form"].errors["photo"] == [
        "사진을 읽을 수 없습니다."
    ]
    noodles.refresh_from_db()
    assert not noodles.thumbnail


def test_another_merchants_product_cannot_be_edited(staff_client):
    other = stocked_product(name="남의 상품", price_won=500)

    page = staff_client.get(reverse("merchant-product-edit", args=[other.pk]))
    edit = staff_client.post(
        reverse("merchant-product-edit", args=[other.pk]),
        product_fields(price_won="1"),
    )
    withdraw = staff_client.post(
        reverse("merchant-product-withdraw", args=[other.pk, "withdraw"]),
        {"idempotency_key": "w1"},
    )

    assert (page.status_code, edit.status_code, withdraw.status_code) == (404, 404, 404)
    other.refresh_from_db()
    assert (other.price_won, other.is_active) == (500, True)


def test_a_6000_by_6000_photo_is_refused_from_its_header_with_a_form_message(
    staff_client, noodles, monkeypatch
):
    image = io.BytesIO()
    Image.new("RGB", (6000, 6000), (200, 30, 30)).save(image, format="PNG")
    upload = SimpleUploadedFile("huge.png", image.getvalue(), "image/png")
    decoded: list[object] = []
    original_load = Image.Image.load

    def counting_load(self, *args, **kwargs):
        decoded.append(self)
        return original_load(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "load", counting_load)

    response = staff_client.post(
        reverse("merchant-product-photo", args=[noodles.pk]),
        {"idempotency_key": "ph1", "photo": upload},
    )

    assert response.status_code == 422
    assert response.context["photo_form"].errors["photo"] == [
        "사진이 너무 큽니다: 6000×6000. 1200만 화소까지 받습니다."
    ]
    assert decoded == []
    noodles.refresh_from_db()
    assert not noodles.photo
