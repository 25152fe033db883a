"""Page budget: every storefront page, on a first visit, with the demo data loaded.

Budget (DESIGN.md and the storefront issue): gzip(HTML) + gzip(every CSS file it links)
is at most 14 KB; everything the page loads is at most 30 KB gzipped and 5 requests; no web
fonts; no script in the head that blocks rendering; images lazy.
"""

import gzip
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import NoReverseMatch, reverse
from typing_extensions import override

from okryu.accounts.models import User
from okryu.catalog.models import Product
from okryu.catalog.queries import list_category_tree
from okryu.merchants.models import Merchant
from okryu.merchants.services import create_merchant_payment_request
from okryu.payments.models import Card

HTML_AND_CSS_BYTES_MAX = 14 * 1024
EVERYTHING_BYTES_MAX = 30 * 1024
REQUESTS_MAX = 5
# whitenoise serves CSS pre-compressed at the highest level; Django's GZipMiddleware
# compresses HTML at level 6 (what the test client receives, measured as sent).
STATIC_GZIP_LEVEL = 9


@dataclass
class PageParts(HTMLParser):
    """What a page links to: stylesheets, scripts, images, and head scripts that block."""

    stylesheets: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    blocking_head_scripts: list[str] = field(default_factory=list)
    eager_images: list[str] = field(default_factory=list)
    has_icon_link: bool = False
    in_head: bool = False

    def __post_init__(self) -> None:
        super().__init__()

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "link":
            self._link(values)
        elif tag == "script":
            self._script(values)
        elif tag in {"img", "source", "video", "audio", "iframe", "embed"}:
            for name in ("src", "srcset", "poster"):
                if values.get(name):
                    self._count(values[name].split()[0])
            if tag == "img" and values.get("loading") != "lazy":
                self.eager_images.append(values.get("src", ""))

    def _link(self, values: dict[str, str]) -> None:
        rel = set(values.get("rel", "").lower().split())
        if "icon" in rel:
            self.has_icon_link = True
        if "stylesheet" in rel:
            self.stylesheets.append(values["href"])
        if rel & {
            "icon",
            "stylesheet",
            "preload",
            "modulepreload",
            "prefetch",
            "manifest",
        }:
            self._count(values.get("href", ""))

    def _script(self, values: dict[str, str]) -> None:
        source = values.get("src", "")
        if not source:
            return
        self._count(source)
        waits = "defer" in values or "async" in values or values.get("type") == "module"
        if self.in_head and not waits:
            self.blocking_head_scripts.append(source)

    @override
    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False

    def _count(self, url: str) -> None:
        if url and not url.startswith("data:"):
            self.resources.append(url)


@dataclass(frozen=True)
class Weight:
    html_gzip_bytes: int
    css_gzip_bytes: int
    everything_gzip_bytes: int
    requests: int
    problems: tuple[str, ...]


def static_file(url: str) -> Path:
    assert url.startswith(settings.STATIC_URL), f"{url} is not a static file of ours"
    found = finders.find(url.removeprefix(settings.STATIC_URL))
    assert found, f"{url} does not exist"
    return Path(str(found))


def weigh(html_gzip: bytes) -> Weight:
    """Weigh a page as a first-time visitor's browser would load it."""
    html = gzip.decompress(html_gzip).decode()
    parts = PageParts()
    parts.feed(html)
    problems = [f"render-blocking script {src}" for src in parts.blocking_head_scripts]
    problems += [f"image not lazy {src}" for src in parts.eager_images]
    if "@font-face" in html:
        problems.append("web font in the page")
    requests = 1 + len(parts.resources)
    if not parts.has_icon_link:
        requests += 1  # the browser asks for /favicon.ico by itself
    css_bytes = 0
    everything = len(html_gzip)
    for url in parts.resources:
        path = static_file(url)
        body = path.read_bytes()
        packed = len(gzip.compress(body, STATIC_GZIP_LEVEL))
        everything += min(packed, len(body))
        if url in parts.stylesheets:
            css_bytes += packed
            css = body.decode()
            if "@font-face" in css:
                problems.append(f"web font in {url}")
            # Whatever a stylesheet pulls in is a request too.
            requests += len(re.findall(r"url\((?!['\"]?data:)|@import", css))
    return Weight(len(html_gzip), css_bytes, everything, requests, tuple(problems))


def test_the_weigher_catches_blocking_scripts_fonts_and_eager_images():
    page = (
        "<html><head><script src='/static/web/site.css'></script>"
        "<style>@font-face{font-family:x}</style></head>"
        "<body><img src='/static/web/site.css'></body></html>"
    )

    weight = weigh(gzip.compress(page.encode()))

    assert weight.problems == (
        "render-blocking script /static/web/site.css",
        "image not lazy /static/web/site.css",
        "web font in the page",
    )
    assert weight.requests == 4  # the page, the script, the image, the implicit favicon


def test_the_weigher_lets_deferred_scripts_and_lazy_images_pass():
    page = (
        "<html><head><link rel='icon' href='data:,'>"
        "<script defer src='/static/web/site.css'></script></head>"
        "<body><img loading='lazy' src='/static/web/site.css'></body></html>"
    )

    weight = weigh(gzip.compress(page.encode()))

    assert weight.problems == ()
    assert weight.requests == 3


def load_demo_data() -> None:
    """Load the demo marketplace with its own command, as `make run` does."""
    call_command("load_demo_data", verbosity=0, stdout=io.StringIO())


def _dish_with_most_options() -> Product:
    dishes = Product.objects.filter(is_active=True, is_made_to_order=True)
    dish = (
        dishes.annotate(options_count=Count("option_groups__options"))
        .order_by("-options_count", "id")
        .first()
    )
    assert dish is not None, "the demo data has dishes"
    return dish


def storefront_pages() -> dict[str, str]:
    """Return the URL of each page in the budget, chosen among the biggest of their kind."""
    tree = list_category_tree()
    biggest_root = max(
        tree,
        key=lambda node: Product.objects.filter(
            category_id__in=node.descendant_ids(), is_active=True
        ).count(),
    )
    busiest = max(
        Merchant.objects.filter(is_active=True), key=lambda m: m.products.count()
    )
    longest_named = max(
        Product.objects.filter(is_active=True, stock_on_hand__gt=0)[:200],
        key=lambda product: len(product.name) + len(product.description),
    )
    word = longest_named.name.split()[0][:2]
    pages = {
        "home": reverse("home"),
        "category": reverse("category", args=[biggest_root.category.pk]),
        "merchant": reverse("merchant", args=[busiest.pk]),
        "merchants": reverse("merchants"),
        "product": reverse("product", args=[longest_named.pk]),
        # A dish with the most options: its form has a radio or checkbox for each.
        "dish": reverse("product", args=[_dish_with_most_options().pk]),
        "search": f"{reverse('search')}?q={word}",
    }
    for name in ("basket", "login", "signup"):
        try:
            pages[name] = reverse(name)
        except NoReverseMatch:  # pragma: no cover - only until the page lands
            pytest.fail(f"the {name} page has no URL")
    return pages


def shopper_account_pages() -> dict[str, str]:
    """Return the shopper's own pages beside the shop: profile, phone, the demo's phone, the
    waitlist, a sold-out product with its waitlist form, the sellers of the most sold product."""
    pages = {
        name: reverse(name)
        for name in ("profile", "phone-verify", "demo-phone", "waitlist")
    }
    sold_out = (
        Product.objects.filter(is_active=True, stock_on_hand=0, is_made_to_order=False)
        .order_by("pk")
        .first()
    )
    assert sold_out is not None, "the demo has sold-out products"
    # Its page offers the waitlist's form (joining by GET only leads back to it).
    pages["sold-out-product"] = reverse("product", args=[sold_out.pk])
    most_sold = (
        Product.objects.filter(is_active=True)
        .values("name", "unit")
        .annotate(sellers=Count("id"))
        .order_by("-sellers", "name")
        .first()
    )
    assert most_sold is not None
    assert most_sold["sellers"] > 1
    offer = Product.objects.filter(
        name=most_sold["name"], unit=most_sold["unit"], is_active=True
    ).first()
    assert offer is not None
    pages["product-sellers"] = reverse("product-sellers", args=[offer.pk])
    return pages


def shopper_card_pages() -> dict[str, str]:
    """Return the shopper's card pages: the card list, a card's statement, a QR approval."""
    card = Card.objects.filter(holder__username="shopper1").first()
    assert card is not None, "the demo gives shopper1 a card"
    merchant = Merchant.objects.filter(is_active=True).order_by("pk").first()
    assert merchant is not None
    payment_request = create_merchant_payment_request(
        merchant_id=merchant.pk, amount_won=12_000, description="평양랭면 곱배기 2그릇"
    )
    return {
        "my-cards": reverse("my-cards"),
        "my-card": reverse("my-card", args=[card.number]),
        "qr-pay": reverse("qr-pay", args=[payment_request.token]),
    }


def shopper_order_pages(shopper: User) -> dict[str, str]:
    """Return checkout with a full basket, my orders, and an order of several merchants."""
    from okryu.cart.owners import BasketOwner
    from okryu.cart.services import add_to_basket
    from okryu.orders.services import place_order
    from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder

    candidates = Product.objects.filter(
        is_active=True,
        is_made_to_order=False,
        stock_on_hand__gte=5,
        price_won__lte=30_000,
    ).select_related("merchant")
    chosen: list[Product] = []
    for product in sorted(candidates[:300], key=lambda p: -len(p.name)):
        if sum(p.merchant_id == product.merchant_id for p in chosen) < 3:
            chosen.append(product)
        if len(chosen) == 8:
            break
    address = shopper.addresses.get(is_default=True)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=CheckoutOrder(
            lines=tuple(CheckoutLine(p.pk, 1, p.price_won) for p in chosen),
            district_id=address.district_id,
            address_detail=address.detail,
            slot_starts_at=None,
            card_number="9410000000000013",
            pin="1111",
        ),
        idempotency_key="page-budget-order",
    )
    for product in chosen:
        add_to_basket(
            owner=BasketOwner.for_user(shopper.pk), product_id=product.pk, quantity=1
        )
    return {
        "checkout": reverse("checkout"),
        "my-orders": reverse("orders"),
        "order": reverse("order", args=[placed.order_id]),
    }


def delivery_pages(shopper: User) -> tuple[User, dict[str, str], dict[str, str]]:
    """Return a courier with a job picked up and their pages, and the order it tracks.

    The order is of the demo shop (``store1``'s), its longest-named products, made ready by
    its staff and dispatched to a demo courier; the courier's job page shows the code form.
    """
    from okryu.delivery.models import DeliveryJob
    from okryu.delivery.services import dispatch, mark_ready_for_pickup, pick_up_job
    from okryu.orders.services import accept_fulfilment, place_order, start_preparing
    from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder

    staff = User.objects.get(username="store1")
    merchant = Merchant.objects.get(staff__user=staff)
    products = sorted(
        Product.objects.filter(merchant=merchant, is_active=True, stock_on_hand__gte=5)[
            :100
        ],
        key=lambda p: -len(p.name),
    )[:5]
    address = shopper.addresses.get(is_default=True)
    placed = place_order(
        shopper_id=shopper.pk,
        checkout=CheckoutOrder(
            lines=tuple(CheckoutLine(p.pk, 1, p.price_won) for p in products),
            district_id=address.district_id,
            address_detail=address.detail,
            slot_starts_at=None,
            card_number="9410000000000013",
            pin="1111",
        ),
        idempotency_key="page-budget-delivery",
    )
    [part] = placed.rows.fulfilments
    fulfilment_id = part.fulfilment.pk
    for move in (accept_fulfilment, start_preparing, mark_ready_for_pickup):
        move(staff_user_id=staff.pk, fulfilment_id=fulfilment_id)
    dispatch()
    job = DeliveryJob.objects.select_related("courier__user").get(
        fulfilment_id=fulfilment_id
    )
    assert job.courier is not None, "a demo courier is on duty"
    pick_up_job(courier_user_id=job.courier.user_id, job_id=job.pk)
    courier_pages = {
        "courier-jobs": reverse("courier-jobs"),
        "courier-job": reverse("courier-job", args=[job.pk]),
    }
    return (
        job.courier.user,
        courier_pages,
        {"order-tracked": reverse("order", args=[placed.order_id])},
    )


@pytest.mark.django_db
def test_every_storefront_page_fits_the_budget_with_the_demo_data(settings):
    settings.OKRYU_DEMO_PHONE = (
        True  # The demo's phone page is weighed as the demo serves it.
    )
    load_demo_data()
    pages = storefront_pages()
    weights: dict[str, Weight] = {}

    for name, url in pages.items():
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, f"{name} answered {response.status_code}"
        assert response["Content-Encoding"] == "gzip", name
        weights[name] = weigh(response.content)
    shopper = Client()
    shopper.force_login(User.objects.get(username="shopper1"))
    for name, url in {**shopper_account_pages(), **shopper_card_pages()}.items():
        response = shopper.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, f"{name} answered {response.status_code}"
        weights[name] = weigh(response.content)
    for name, url in shopper_order_pages(User.objects.get(username="shopper1")).items():
        response = shopper.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, f"{name} answered {response.status_code}"
        weights[name] = weigh(response.content)
    courier_user, courier_pages, tracked = delivery_pages(
        User.objects.get(username="shopper1")
    )
    for name, url in tracked.items():
        response = shopper.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, f"{name} answered {response.status_code}"
        weights[name] = weigh(response.content)
    courier = Client()
    courier.force_login(courier_user)
    for name, url in courier_pages.items():
        response = courier.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, f"{name} answered {response.status_code}"
        weights[name] = weigh(response.content)

    over = {
        name: weight
        for name, weight in weights.items()
        if weight.html_gzip_bytes + weight.css_gzip_bytes > HTML_AND_CSS_BYTES_MAX
        or weight.everything_gzip_bytes > EVERYTHING_BYTES_MAX
        or weight.requests > REQUESTS_MAX
        or weight.problems
    }
    assert over == {}, weights
    assert set(weights) == {
        "home",
        "category",
        "merchant",
        "merchants",
        "product",
        "dish",
        "search",
        "basket",
        "login",
        "signup",
        "profile",
        "phone-verify",
        "demo-phone",
        "waitlist",
        "sold-out-product",
        "product-sellers",
        "my-cards",
        "my-card",
        "qr-pay",
        "checkout",
        "my-orders",
        "order",
        "order-tracked",
        "courier-jobs",
        "courier-job",
    }


OFFLINE_SCRIPTS_BYTES_MAX = 10 * 1024


@pytest.mark.django_db
def test_the_service_worker_and_its_helper_fit_in_10_kb_gzipped_together():
    worker = Client().get(reverse("service-worker"))
    helper = static_file(f"{settings.STATIC_URL}web/offline.js").read_bytes()

    packed = len(gzip.compress(worker.content, STATIC_GZIP_LEVEL)) + len(
        gzip.compress(helper, STATIC_GZIP_LEVEL)
    )

    assert packed <= OFFLINE_SCRIPTS_BYTES_MAX, packed


@pytest.mark.django_db
def test_every_page_loads_the_helper_deferred_so_it_never_blocks_rendering():
    page = Client().get(reverse("login")).content.decode()
    parts = PageParts()
    parts.feed(page)

    assert f"{settings.STATIC_URL}web/offline.js" in parts.resources
    assert parts.blocking_head_scripts == []
