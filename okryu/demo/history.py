"""A simulated order history, written through the real services (``manage.py simulate_demand``).

The demand model (``okryu.demo.demand``: the week's rhythm, paydays, holidays, meal times)
decides what simulated shoppers want each day; everything they do then goes through the
services a person would reach through the pages, on a simulated clock
(``okryu.core.clock.simulated``):

- a simulated teller opens a cash drawer every morning, takes the shoppers' cash top-ups
  (under the approval threshold, within the teller's daily limit) and closes it at night with
  the cash counted (``payments.counter_services``);
- merchants receive stock in weekly batches (``catalog.services.receive_stock``); some
  products' batches fall short of demand, so their shelves run empty before the next one;
- a shopper who wants a product checks out (``orders.services.checkout.place_order``, with
  card and PIN); when there are too few units the checkout is refused as out of stock and
  the refusal is recorded as unmet demand; a shopper looking at a sold-out product's page is
  counted as a view, and some join its waitlist instead of trying to order (so each wish is
  counted once, as a refusal or as a waitlist entry); offered units are ordered by most of
  those they are offered to, the rest expire and pass on (the background jobs run on the
  simulated clock);
- every hour the merchants accept, prepare and hand over what was ordered, dispatch gives
  the jobs to the couriers on duty, and couriers pick them up and hand them over with the
  shopper's confirmation code, so the money is captured and the stock sold;
- a few searches a day find nothing (things not sold on Okryu) and are counted.

A day is finished when the simulated teller's drawer of that day is closed: a later run
continues after the last finished day and refuses to run over a day that was interrupted.
"""

import datetime as dt
import heapq
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from okryu.accounts.models import Address, District, Role, RoleGrant, User
from okryu.catalog.demand import record_empty_search, record_sold_out_view
from okryu.catalog.errors import OutOfStock
from okryu.catalog.models import (
    OptionChoice,
    Product,
    WaitlistEntry,
    WaitlistStatus,
)
from okryu.catalog.options import load_option_menus
from okryu.catalog.search import search_products
from okryu.catalog.services import receive_stock
from okryu.catalog.waitlist import join_waitlist
from okryu.core import clock
from okryu.core.errors import DomainError
from okryu.core.jobs import load_job_handlers, run_due_jobs
from okryu.delivery import services as delivery
from okryu.delivery.models import Courier, DeliveryJob, JobStatus
from okryu.demo.demand import ProductDemand, draw_wishes
from okryu.demo.users import MARKER_USERNAME
from okryu.merchants.models import MerchantStaff
from okryu.notifications.gateways import get_configured_gateway
from okryu.notifications.outbox import OUTBOX_BATCH_SIZE_MAX, send_pending_sms
from okryu.orders.services import accept_fulfilment, start_preparing
from okryu.orders.services.checkout import CheckoutLine, CheckoutOrder, place_order
from okryu.payments.counter_services import (
    close_drawer,
    issue_card_at_counter,
    open_drawer,
    take_top_up,
)
from okryu.payments.errors import InsufficientFunds
from okryu.payments.models import Card, CashDrawer, CashDrawerStatus

TELLER_USERNAME = "sim-teller"
SHOPPER_PREFIX = "sim-shopper-"
SHOPPER_USERNAME = SHOPPER_PREFIX + "{:03d}"
# Published like the demo cards' PINs: the simulated shoppers' cards are the demo's too.
SHOPPER_PIN = "5805"
STOCK_NOTE = "simulate_demand"
CITY = "평양"  # Where the demo couriers work.
PRICE_MAX_WON = 150_000
# A shopper tops up when the card could not pay for an order of this much more.
TOP_UP_WON = 500_000
SPENDABLE_MARGIN_WON = 60_000
# Of the shoppers who find a product sold out, this share joins its waitlist; the others
# try to order it anyway (from a basket filled earlier) and are refused.
WAITLIST_SHARE = 0.3
# Of the shoppers offered units from a waitlist, this share orders them in time.
OFFER_TAKEN_SHARE = 0.85
# One simulated product in ``SHORT_EVERY`` is one kept in small numbers (at most
# ``SCARCE_STOCK_MAX`` units when the simulation starts) and restocked below its demand.
SHORT_EVERY = 3
SCARCE_STOCK_MAX = 40
SCARCE_DAYS_OF_STOCK = 4
EMPTY_SEARCHES_PER_DAY = 4.0
EMPTY_SEARCH_WORDS = (
    "자전거",
    "텔레비죤",
    "냉동기",
    "세탁기",
    "손전화기",
    "재봉기",
    "선풍기",
    "bicycle",
)
DAY_STARTS = dt.time(7, 0)
FIRST_TICK_HOUR, LAST_TICK_HOUR = 8, 21
DAY_ENDS = dt.time(23, 0)
DISPATCH_ROUNDS_MAX = 20

logger = logging.getLogger(__name__)


class HistoryRefused(Exception):
    """The history cannot be simulated on this database as it is; the message says why."""


@dataclass(frozen=True)
class HistoryPlan:
    """What to simulate: how many days (ending yesterday), with what and for whom."""

    days: int
    seed: int = 7
    products: int = 12
    shoppers: int = 40
    merchant_slugs: tuple[str, ...] = ()  # Empty: every Pyongyang merchant.
    last_day: dt.date | None = None  # None: yesterday.


@dataclass
class HistoryReport:
    """What a run simulated and how long it took."""

    first_day: dt.date | None = None
    last_day: dt.date | None = None
    days: int = 0
    skipped_days: int = 0
    product_ids: list[int] = field(default_factory=list)
    orders_placed: int = 0
    deliveries: int = 0
    units_sold: int = 0
    refused_units: int = 0
    waitlist_entries: int = 0
    offers_taken: int = 0
    sold_out_views: int = 0
    empty_searches: int = 0
    receipts: int = 0
    top_ups: int = 0
    checkouts: int = 0
    other_refusals: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def orders_per_second(self) -> float:
        """Orders placed (and moved on to delivery) per second of wall time."""
        return self.orders_placed / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Shopper:
    user_id: int
    card_number: str
    district_id: int
    address_detail: str


@dataclass(frozen=True)
class _SimulatedProduct:
    product_id: int
    key: str  # Seeds its random draws: the same on every database, whatever its ids.
    merchant_id: int
    staff_user_id: int
    price_won: int
    demand: ProductDemand
    restock_weekday: int
    option_ids: tuple[int, ...]
    quantity_max: (
        int | None
    )  # The product's daily limit per shopper, which the page shows.

    @property
    def sells_portions(self) -> bool:
        return self.demand.is_dish


@dataclass
class _World:
    plan: HistoryPlan
    teller: User
    shoppers: list[_Shopper]
    products: list[_SimulatedProduct]
    first_day: dt.date
    report: HistoryReport
    pending_fulfilments: list[tuple[int, int]] = field(default_factory=list)
    handlers: dict[str, Callable[[dict[str, object]], None]] = field(
        default_factory=dict
    )


def simulated_days(*, plan: HistoryPlan, today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first and last day a run of ``plan`` would simulate (first > last: none).

    The history ends on ``plan.last_day`` (yesterday by default); a run after an earlier one
    starts the day after its last finished day. Raises HistoryRefused when an earlier run
    was interrupted during a day, when the days asked for begin before the history there,
    or for a last day that is not yet over.
    """
    assert plan.days > 0
    last = plan.last_day or today - dt.timedelta(days=1)
    if last >= today:
        message = (
            f"a history ends yesterday ({today - dt.timedelta(days=1)}) at the latest"
        )
        raise HistoryRefused(message)
    first = last - dt.timedelta(days=plan.days - 1)
    drawers = CashDrawer.objects.filter(teller__username=TELLER_USERNAME)
    interrupted = drawers.filter(status=CashDrawerStatus.OPEN).first()
    if interrupted is not None:
        message = (
            f"the simulated day {interrupted.day:%Y-%m-%d} was interrupted (its teller's "
            "drawer is still open): its orders are partly written. Simulate on a fresh "
            "database (delete it, migrate, load_demo_data --no-history)."
        )
        raise HistoryRefused(message)
    finished = drawers.order_by("-day").values_list("day", flat=True).first()
    if finished is None:
        return first, last
    started = drawers.order_by("day").values_list("day", flat=True).first()
    assert started is not None
    if first < started:
        message = (
            f"this database's simulated history runs from {started:%Y-%m-%d} to "
            f"{finished:%Y-%m-%d}: a run may add the days after it, not days before it. "
            "For a longer history, simulate on a database loaded with "
            "`load_demo_data --no-history` (or give make run's first start "
            "OKRYU_DEMO_HISTORY_DAYS)."
        )
        raise HistoryRefused(message)
    return max(first, finished + dt.timedelta(days=1)), last


def history_first_day() -> dt.date | None:
    """Return the first simulated day of this database's history, or None."""
    return (
        CashDrawer.objects.filter(teller__username=TELLER_USERNAME)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )


def simulate_history(
    plan: HistoryPlan, *, on_day: Callable[[dt.date], None] | None = None
) -> HistoryReport:
    """Simulate the ``plan.days`` days ending on ``plan.last_day`` (yesterday by default)
    that are not simulated yet; report what happened.

    Needs the demo data (merchants, products, couriers on duty). Raises HistoryRefused,
    writing nothing, when it is missing or ``simulated_days`` refuses the days.
    """
    started = time.perf_counter()
    today = clock.local_today()
    first, last = simulated_days(plan=plan, today=today)
    report = HistoryReport(skipped_days=plan.days - max((last - first).days + 1, 0))
    if first > last:
        return report
    _check_demo_is_there()
    origin = history_first_day() or first
    with clock.simulated(_at(first, DAY_STARTS)) as simulated_clock, _quiet_sms_log():
        world = _prepare_world(plan, first_day=origin, report=report)
        report.product_ids = [product.product_id for product in world.products]
        day = first
        while day <= last:
            _simulate_day(world, day, simulated_clock)
            report.days += 1
            if on_day is not None:
                on_day(day)
            day += dt.timedelta(days=1)
    report.first_day, report.last_day = first, last
    report.seconds = time.perf_counter() - started
    return report


def _at(day: dt.date, moment: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, moment, tzinfo=clock.PYONGYANG)


@contextmanager
def _quiet_sms_log() -> Iterator[None]:
    # The log gateway writes each simulated shopper's SMS to the log: thousands of lines that
    # say nothing to whoever runs the simulation. Warnings (a failed send) still show.
    gateway_logger = logging.getLogger("okryu.notifications.gateways")
    level = gateway_logger.level
    if not gateway_logger.isEnabledFor(logging.DEBUG):
        gateway_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        gateway_logger.setLevel(level)


def _check_demo_is_there() -> None:
    if not User.objects.filter(username=MARKER_USERNAME).exists():
        message = "the demo data is missing: run `manage.py load_demo_data` first"
        raise HistoryRefused(message)
    if not Courier.objects.filter(is_on_duty=True).exists():
        message = "no courier is on duty to deliver the simulated orders"
        raise HistoryRefused(message)


# Setting up: the teller, the shoppers and their cards, the products and their demand.


def _prepare_world(
    plan: HistoryPlan, *, first_day: dt.date, report: HistoryReport
) -> _World:
    teller = _simulated_user(
        TELLER_USERNAME, "모의 은행원", "199-700-0001", Role.TELLER
    )
    districts = list(
        District.objects.filter(city=CITY).order_by("sort_order", "pk")[:12]
    )
    shoppers = [
        _shopper(index, teller=teller, district=districts[index % len(districts)])
        for index in range(plan.shoppers)
    ]
    products = _simulated_products(plan)
    if not products:
        message = "no active product of a Pyongyang merchant fits the simulation"
        raise HistoryRefused(message)
    return _World(
        plan=plan,
        teller=teller,
        shoppers=shoppers,
        products=products,
        first_day=first_day,
        report=report,
        handlers=load_job_handlers(),
    )


def _simulated_user(username: str, name: str, phone: str, role: Role) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        # Simulated people never sign in: no password is usable.
        user = User.objects.create(
            username=username,
            display_name=name,
            phone=phone,
            password=make_password(None),
        )
        RoleGrant.objects.create(user=user, role=role)
    return user


def _shopper(index: int, *, teller: User, district: District) -> _Shopper:
    phone = f"199-701-{index + 1:04d}"
    user = _simulated_user(
        SHOPPER_USERNAME.format(index + 1),
        f"모의 구매자 {index + 1}",
        phone,
        Role.SHOPPER,
    )
    address = Address.objects.filter(user=user, is_default=True).first()
    if address is None:
        address = Address.objects.create(
            user=user,
            label="집",
            district=district,
            detail=f"모의 주소 {index + 1}호",
            is_default=True,
        )
    card = Card.objects.filter(holder=user).order_by("pk").first()
    if card is None:
        card = issue_card_at_counter(
            teller=teller, holder=user, phone=phone, pin=SHOPPER_PIN
        )
    return _Shopper(
        user_id=user.pk,
        card_number=card.number,
        district_id=address.district_id,
        address_detail=address.detail,
    )


def _simulated_products(plan: HistoryPlan) -> list[_SimulatedProduct]:
    """Choose ``plan.products`` products (the same ones for the same seed and catalogue)."""
    candidates = (
        Product.objects.filter(
            is_active=True,
            is_sold_out=False,
            merchant__is_active=True,
            merchant__district__city=CITY,
            price_won__lte=PRICE_MAX_WON,
        )
        .filter(Q(daily_capacity__isnull=True) | Q(daily_capacity__gt=0))
        .select_related("merchant")
        .order_by("pk")
    )
    if plan.merchant_slugs:
        candidates = candidates.filter(merchant__slug__in=plan.merchant_slugs)
    products = list(candidates)
    rng = random.Random(f"products:{plan.seed}")  # noqa: S311 (a simulation)
    # Each merchant asked for gets its share, in the order asked (all merchants: one share).
    groups = [
        [product for product in products if product.merchant.slug == slug]
        for slug in plan.merchant_slugs
    ] or [products]
    shares = [
        plan.products // len(groups) + (index < plan.products % len(groups))
        for index in range(len(groups))
    ]
    # A third of them (rounded) scarce, at least one in each share while that lasts.
    scarce_left = round(plan.products / SHORT_EVERY)
    chosen: list[Product] = []
    for group, share in zip(groups, shares, strict=True):
        scarce_count = min(scarce_left, share, max(1, round(share / SHORT_EVERY)))
        chosen += _choose(group, share, scarce_count, rng=rng) if share else []
        scarce_left -= scarce_count
    chosen.sort(key=lambda product: product.pk)
    scarce = [product for product in products if _is_scarce(product)]
    scarce_ids = {product.pk for product in scarce}
    staff = {
        row["merchant_id"]: row["user_id"]
        for row in MerchantStaff.objects.filter(
            merchant_id__in={p.merchant_id for p in chosen}
        )
        .order_by("-pk")
        .values("merchant_id", "user_id")
    }
    menus = load_option_menus([p.pk for p in chosen if p.is_made_to_order])
    simulated = []
    for product in chosen:
        if product.merchant_id not in staff:
            continue
        menu = menus.get(product.pk)
        option_ids = (
            tuple(
                group.options[0].option_id
                for group in menu.groups
                if group.choice == OptionChoice.ONE and group.options
            )
            if menu
            else ()
        )
        simulated.append(
            _SimulatedProduct(
                product_id=product.pk,
                key=_product_key(product),
                merchant_id=product.merchant_id,
                staff_user_id=staff[product.merchant_id],
                price_won=product.price_won,
                demand=_demand_of(
                    product, is_short=product.pk in scarce_ids, seed=plan.seed
                ),
                restock_weekday=random.Random(  # noqa: S311
                    f"restock:{plan.seed}:{_product_key(product)}"
                ).randrange(7),
                option_ids=option_ids,
                quantity_max=product.purchase_limit_per_day,
            )
        )
    return simulated


def _is_scarce(product: Product) -> bool:
    return not product.is_made_to_order and product.stock_available <= SCARCE_STOCK_MAX


def _choose(
    products: list[Product], count: int, scarce_count: int, *, rng: random.Random
) -> list[Product]:
    """Choose ``count`` products, ``scarce_count`` of them scarce when there are as many.

    Scarce: goods kept in small numbers, whose weekly batch then falls below demand; the
    rest are well stocked (or dishes, cooked to order).
    """
    scarce = [product for product in products if _is_scarce(product)]
    scarce_count = min(len(scarce), scarce_count)
    chosen = rng.sample(scarce, scarce_count) if scarce_count else []
    others = [product for product in products if product not in chosen]
    return chosen + rng.sample(others, min(len(others), count - scarce_count))


def _product_key(product: Product) -> str:
    return f"{product.merchant.slug}/{product.name}/{product.unit}"


def _demand_of(product: Product, *, is_short: bool, seed: int) -> ProductDemand:
    rng = random.Random(f"demand:{seed}:{_product_key(product)}")  # noqa: S311
    base = min(max(rng.lognormvariate(1.2, 0.6), 0.8), 20.0)
    if product.is_made_to_order:
        return ProductDemand(base_per_day=base * 1.5, is_dish=True)
    if is_short:
        # Scarce goods are wanted more than they are made: the shelf empties within days.
        base = max(base, product.stock_available / SCARCE_DAYS_OF_STOCK)
    weekly = base * 7
    return ProductDemand(
        base_per_day=base,
        trend_per_day=rng.uniform(-0.002, 0.006) * base,
        restock_every_days=7,
        restock_units=max(
            round(weekly * (rng.uniform(0.6, 0.9) if is_short else 1.8)), 1
        ),
    )


# One day.


@dataclass(order=True, frozen=True)
class _Event:
    minute: int
    sequence: int
    kind: str = field(compare=False)
    product: _SimulatedProduct | None = field(compare=False, default=None)
    quantity: int = field(compare=False, default=0)
    shopper: _Shopper | None = field(compare=False, default=None)
    text: str = field(compare=False, default="")
    entry_id: int = field(compare=False, default=0)


class _Day:
    """One simulated day's events, in time order (a heap: events may add later events)."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.events: list[_Event] = []
        self.sequence = 0

    def add(self, event: _Event) -> None:
        heapq.heappush(self.events, event)

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


def _simulate_day(
    world: _World, day: dt.date, simulated_clock: clock.SimulatedClock
) -> None:
    simulated_clock.move_to(_at(day, DAY_STARTS))
    open_drawer(teller=world.teller)
    rng = random.Random(f"day:{world.plan.seed}:{day.isoformat()}")  # noqa: S311
    plan = _plan_day(world, day, rng)
    while plan.events:
        event = heapq.heappop(plan.events)
        # The hour's work may have taken the clock past an event due meanwhile.
        at = _at(day, dt.time()) + dt.timedelta(minutes=event.minute)
        simulated_clock.move_to(max(at, simulated_clock.now()))
        _run_event(world, plan, event, rng, simulated_clock)
    simulated_clock.move_to(_at(day, DAY_ENDS))
    _run_background_work(world)
    drawer = CashDrawer.objects.get(
        teller=world.teller, day=day, status=CashDrawerStatus.OPEN
    )
    close_drawer(teller=world.teller, counted_won=drawer.booked_won)


def _plan_day(world: _World, day: dt.date, rng: random.Random) -> _Day:
    """Return the day's receipts, wishes, searches and hours of work, in time order."""
    plan = _Day(day)
    index = (day - world.first_day).days
    for product in world.products:
        if product.demand.restock_units and day.weekday() == product.restock_weekday:
            plan.add(
                _Event(
                    8 * 60,
                    plan.next_sequence(),
                    "receive",
                    product=product,
                    quantity=product.demand.restock_units,
                )
            )
        wishes = draw_wishes(
            product.demand,
            day=day,
            index=index,
            rng=random.Random(  # noqa: S311
                f"wishes:{world.plan.seed}:{product.key}:{day.isoformat()}"
            ),
        )
        for wish in wishes:
            plan.add(
                _Event(
                    wish.minute,
                    plan.next_sequence(),
                    "wish",
                    product=product,
                    quantity=min(wish.quantity, product.quantity_max or wish.quantity),
                    shopper=rng.choice(world.shoppers),
                )
            )
    for _ in range(_poisson(rng, EMPTY_SEARCHES_PER_DAY)):
        plan.add(
            _Event(
                rng.randrange(8 * 60, 21 * 60),
                plan.next_sequence(),
                "search",
                text=rng.choice(EMPTY_SEARCH_WORDS),
            )
        )
    for hour in range(FIRST_TICK_HOUR, LAST_TICK_HOUR + 1):
        plan.add(_Event(hour * 60 + 50, plan.next_sequence(), "work"))
    return plan


def _run_event(
    world: _World,
    plan: _Day,
    event: _Event,
    rng: random.Random,
    simulated_clock: clock.SimulatedClock,
) -> None:
    if event.kind == "work":
        _hour_of_work(world, simulated_clock)
    elif event.kind == "search":
        _search(world, event.text)
    else:
        product = event.product
        assert product is not None
        if event.kind == "receive":
            for entry_id, minutes in _receive(world, product, event.quantity, rng):
                plan.add(
                    _Event(
                        event.minute + minutes,
                        plan.next_sequence(),
                        "offer",
                        product=product,
                        entry_id=entry_id,
                    )
                )
        elif event.kind == "offer":
            _take_offer(world, product, entry_id=event.entry_id)
        else:
            assert event.shopper is not None
            _wish(world, product, event.quantity, event.shopper, rng=rng)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _receive(
    world: _World, product: _SimulatedProduct, quantity: int, rng: random.Random
) -> list[tuple[int, int]]:
    """Receive a batch; return (entry id, minutes later) for each offer that will be taken."""
    staff = User.objects.get(pk=product.staff_user_id)
    receive_stock(
        product_id=product.product_id,
        quantity=quantity,
        changed_by=staff,
        note=STOCK_NOTE,
    )
    world.report.receipts += 1
    offered = WaitlistEntry.objects.filter(
        product_id=product.product_id,
        status=WaitlistStatus.OFFERED,
        offered_at=clock.now(),
    ).order_by("pk")
    return [
        (entry_id, rng.randrange(5, 100))
        for entry_id in offered.values_list("pk", flat=True)
        if rng.random() < OFFER_TAKEN_SHARE
    ]


def _take_offer(world: _World, product: _SimulatedProduct, *, entry_id: int) -> None:
    entry = WaitlistEntry.objects.filter(
        pk=entry_id, status=WaitlistStatus.OFFERED
    ).first()
    if entry is None:
        return
    shopper = next((s for s in world.shoppers if s.user_id == entry.shopper_id), None)
    if shopper is None:
        return
    if _checkout(world, product, entry.offered_quantity, shopper):
        world.report.offers_taken += 1


def _wish(
    world: _World,
    product: _SimulatedProduct,
    quantity: int,
    shopper: _Shopper,
    *,
    rng: random.Random,
) -> None:
    if not product.sells_portions:
        available = (
            Product.objects.filter(pk=product.product_id)
            .only("stock_on_hand", "stock_reserved", "stock_offered")
            .get()
            .stock_available
        )
        if available <= 0:
            # The product's page says it is sold out.
            record_sold_out_view(product.product_id)
            world.report.sold_out_views += 1
            if rng.random() < WAITLIST_SHARE:
                _, is_new = join_waitlist(
                    shopper_id=shopper.user_id,
                    product_id=product.product_id,
                    quantity=quantity,
                )
                world.report.waitlist_entries += is_new
                return
    _checkout(world, product, quantity, shopper)


def _checkout(
    world: _World,
    product: _SimulatedProduct,
    quantity: int,
    shopper: _Shopper,
) -> bool:
    """Place the shopper's order of one line; return whether it was placed."""
    _top_up_if_short(world, shopper, needed=product.price_won * quantity)
    checkout = CheckoutOrder(
        lines=(
            CheckoutLine(
                product_id=product.product_id,
                quantity=quantity,
                option_ids=product.option_ids,
            ),
        ),
        district_id=shopper.district_id,
        address_detail=shopper.address_detail,
        slot_starts_at=None,
        card_number=shopper.card_number,
        pin=SHOPPER_PIN,
    )
    world.report.checkouts += 1
    key = f"simulate-demand:{world.plan.seed}:{clock.now():%Y%m%d}:{world.report.checkouts}"
    try:
        placed = place_order(
            shopper_id=shopper.user_id, checkout=checkout, idempotency_key=key
        )
    except OutOfStock:
        world.report.refused_units += quantity  # Recorded as unmet by the checkout.
        return False
    except InsufficientFunds:
        world.report.other_refusals["InsufficientFunds"] += 1
        return False
    except DomainError as refusal:
        world.report.other_refusals[type(refusal).__name__] += 1
        return False
    world.report.orders_placed += 1
    world.report.units_sold += quantity
    for fulfilment in placed.rows.fulfilment_rows:
        world.pending_fulfilments.append((fulfilment.pk, product.staff_user_id))
    return True


def _top_up_if_short(world: _World, shopper: _Shopper, *, needed: int) -> None:
    card = Card.objects.select_related("ledger_account").get(number=shopper.card_number)
    account = card.ledger_account
    spendable = account.balance_won - account.held_won
    if spendable >= needed + SPENDABLE_MARGIN_WON:
        return
    amount = TOP_UP_WON * math.ceil(
        (needed + SPENDABLE_MARGIN_WON - spendable) / TOP_UP_WON
    )
    take_top_up(
        teller=world.teller,
        card_number=shopper.card_number,
        amount_won=amount,
        transfer_id=f"simulate-demand:top-up:{shopper.card_number}:{clock.now().isoformat()}",
    )
    world.report.top_ups += 1


def _search(world: _World, words: str) -> None:
    # What the search page does: a search that finds nothing is counted.
    found = search_products(query=words, limit=1)
    if found.total == 0:
        record_empty_search(words)
        world.report.empty_searches += 1


def _hour_of_work(world: _World, simulated_clock: clock.SimulatedClock) -> None:
    """At ten to the hour: merchants make ready what was ordered; couriers deliver it."""
    now = clock.now()
    pending, world.pending_fulfilments = world.pending_fulfilments, []
    for fulfilment_id, staff_user_id in pending:
        try:
            accept_fulfilment(staff_user_id=staff_user_id, fulfilment_id=fulfilment_id)
            start_preparing(staff_user_id=staff_user_id, fulfilment_id=fulfilment_id)
            delivery.mark_ready_for_pickup(
                staff_user_id=staff_user_id, fulfilment_id=fulfilment_id
            )
        except DomainError as refusal:
            world.report.other_refusals[f"merchant: {type(refusal).__name__}"] += 1
    simulated_clock.move_to(now + dt.timedelta(minutes=5))
    waiting = DeliveryJob.objects.filter(
        status__in=(JobStatus.WAITING, JobStatus.ASSIGNED),
        fulfilment__order__shopper__username__startswith=SHOPPER_PREFIX,
    )
    for _round in range(DISPATCH_ROUNDS_MAX if waiting.exists() else 0):
        _run_due_jobs(world)
        # The simulated shoppers' deliveries only: a real courier's jobs are left alone.
        assigned = [
            (job.pk, job.courier.user_id, job.confirmation_code)
            for job in DeliveryJob.objects.filter(
                status=JobStatus.ASSIGNED,
                fulfilment__order__shopper__username__startswith=SHOPPER_PREFIX,
            )
            .select_related("courier")
            .order_by("pk")
            if job.courier is not None
        ]
        if not assigned:
            break
        for job_id, courier_user_id, _code in assigned:
            delivery.pick_up_job(courier_user_id=courier_user_id, job_id=job_id)
        for job_id, courier_user_id, code in assigned:
            # The shopper reads the code from the "on its way" SMS and tells it at the door.
            delivery.hand_over_job(
                courier_user_id=courier_user_id, job_id=job_id, code=code
            )
            world.report.deliveries += 1
    _run_background_work(world)


def _run_due_jobs(world: _World) -> None:
    while run_due_jobs(handlers=world.handlers).claimed:
        pass


def _run_background_work(world: _World) -> None:
    """Run the due background jobs and send the queued SMS, as the workers would."""
    _run_due_jobs(world)
    gateway = get_configured_gateway()
    while send_pending_sms(gateway=gateway, batch_size=OUTBOX_BATCH_SIZE_MAX).claimed:
        pass
