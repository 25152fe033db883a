"""Who may call what: every page route and every API operation, asked by every role.

The routes are not listed by hand. The page routes come from Django's URL resolver (every
pattern, walked with ``get_resolver``), the API operations from the OpenAPI schema. Each one
must have a rule in ``PAGE_RULES`` or ``API_RULES`` below, or the test fails naming it. A rule
says which roles get through (``allowed``); anonymous callers must be sent to sign in (401 on the
API, a redirect to the login page on a page) and everyone else refused (403, or 404 where the
object is someone else's). Every route is then called by each role (``world.ROLES``):

    anonymous, shopper, other_shopper, other_merchant_staff, merchant_staff, courier,
    teller, supervisor, operator

with the ids of objects belonging to ``shopper`` and to ``merchant_staff``'s shops (see
``tests/security/world.py``), so ``other_shopper`` asking for the shopper's order and
``other_merchant_staff`` changing the merchant's product are the object-level checks.

Adding a route: add one line to the table, e.g.

    "GET waitlists/<int:waitlist_id>/": only(SHOPPER),            # a page, by its route
    "POST /api/v1/teller/approvals/{approval_id}": only(SUPERVISOR),  # an API operation

A page's key is its method and its route as Django writes it (``str(pattern)``, prefixes
joined); a class-based view is checked for each of GET and POST it defines, a function view
for GET and for whatever methods the table names. A path parameter not yet in ``PATH_VALUES``
needs a line there too (the id of an object of the world's shopper or merchant); an API
operation with a request body needs a valid body in ``api_bodies`` (a body the schema refuses
would answer 422 before the role is checked). The admin site is one rule (``ADMIN_RULE``):
its own gate covers every model registered with it.

"Allowed" means the request got past authorization: any answer below 500 except 401, 403, 404
and a redirect to a login page (a 409 for a move in the wrong state is allowed). Each request
runs in a savepoint that is rolled back, so no request changes what the next one sees.
"""

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from okryu.api.v1 import api
from okryu.orders.tests.builders import TEST_PIN
from okryu.orders.tests.door_support import signed_record
from tests.security.world import (
    ANONYMOUS,
    COURIER,
    MERCHANT_STAFF,
    OPERATOR,
    OTHER_MERCHANT_STAFF,
    OTHER_SHOPPER,
    ROLES,
    SHOPPER,
    SIGNED_IN,
    SUPERVISOR,
    TELLER,
    World,
    build_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_demo_phone(settings):
    """The demo's phone page exists only in the demo: check it as the demo serves it."""
    settings.OKRYU_DEMO_PHONE = True


ALLOW = "allowed"
LOGIN = "sent to sign in"
DENY = "refused"
# Refused by the view's form, which offers only the caller's own things (their cards).
INVALID = "refused by its form"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Rule:
    """Who gets through; what anonymous callers and everyone else get instead."""

    allowed: frozenset[str]
    anonymous: str = LOGIN
    others: str = DENY
    exceptions: dict[str, str] = field(default_factory=dict)

    def expect(self, role: str) -> str:
        if role in self.exceptions:
            return self.exceptions[role]
        if role in self.allowed:
            return ALLOW
        return self.anonymous if role == ANONYMOUS else self.others


def only(*roles: str) -> Rule:
    """Only ``roles`` get through; anonymous callers are sent to sign in."""
    return Rule(frozenset(roles))


PUBLIC = Rule(frozenset(ROLES))
SIGNED_IN_ONLY = only(*SIGNED_IN)
SHOPPERS = only(SHOPPER, OTHER_SHOPPER)
MERCHANTS = only(MERCHANT_STAFF, OTHER_MERCHANT_STAFF)
# The health probe answers anyone: 200, or 503 when a check fails (the tests' dummy cache does).
UNAVAILABLE = "unavailable (503)"
PROBED = "answered, or unavailable"
PROBE = Rule(frozenset(), anonymous=PROBED, others=PROBED)
# Nobody: the API's catch-all answers 404 to everyone, signed in or not.
NOBODY = Rule(frozenset(), anonymous=DENY)
# Past the admin's gate, what the operator may do is the admin's own permissions (the money's
# records are read-only: adding or deleting one is 403): any answer but a server error.
ANSWERED = "answered past the gate"
# The admin sends everyone without access to its own login page, signed in or not.
ADMIN_RULE = Rule(frozenset(), others=LOGIN, exceptions={OPERATOR: ANSWERED})

# fmt: off
PAGE_RULES: dict[str, Rule] = {
    # The API's own pages beside its operations.
    "GET api/v1/openapi.json": PUBLIC,
    "GET api/v1/docs": PUBLIC,
    "GET api/v1/": NOBODY,
    "GET api/v1/^(?P<path>.*)$": NOBODY,
    "POST admin/logout/": PUBLIC,
    "GET ^media/(?P<path>.*)$": PUBLIC,
    # The operator's probes. The metrics are not a person's: they answer their own token, or
    # (without one) loopback only, which the test client is; elsewhere they are 404.
    "GET health/": PROBE,
    "GET metrics": PUBLIC,
    # Accounts.
    "GET accounts/login/": PUBLIC,
    "POST accounts/login/": PUBLIC,
    "POST accounts/logout/": PUBLIC,
    "GET accounts/signup/": PUBLIC,
    "POST accounts/signup/": PUBLIC,
    "GET accounts/second-factor/": SIGNED_IN_ONLY,
    "POST accounts/second-factor/": SIGNED_IN_ONLY,
    "GET accounts/second-factor/verify/": SIGNED_IN_ONLY,
    "POST accounts/second-factor/verify/": SIGNED_IN_ONLY,
    "GET accounts/profile/": SIGNED_IN_ONLY,
    "GET accounts/phone/": SIGNED_IN_ONLY,
    # Shown as the demo serves it (OKRYU_DEMO_PHONE, on_demo_phone below); 404 elsewhere.
    "GET accounts/demo-phone/": SIGNED_IN_ONLY,
    "POST accounts/phone/": SIGNED_IN_ONLY,
    "POST accounts/addresses/": SIGNED_IN_ONLY,
    "POST accounts/addresses/<int:address_id>/delete/": only(SHOPPER),
    "POST accounts/addresses/<int:address_id>/default/": only(SHOPPER),
    # The basket: anyone may fill one (a visitor's lives in the session); a line is its owner's.
    "GET basket/": PUBLIC,
    "POST basket/add/": PUBLIC,
    "POST basket/lines/<int:line_id>/": Rule(frozenset({SHOPPER}), anonymous=DENY),
    "POST basket/lines/<int:line_id>/remove/": Rule(frozenset({SHOPPER}), anonymous=DENY),
    "GET checkout/": SIGNED_IN_ONLY,
    "POST checkout/": SIGNED_IN_ONLY,
    # A shopper's orders.
    "GET orders/": SIGNED_IN_ONLY,
    # Waitlists: anyone signed in may wait for a product; the world has no entry to cancel, so
    # a cancel is answered past the gate (404) for everyone signed in.
    "GET waitlist/": SIGNED_IN_ONLY,
    "GET waitlist/join/<int:product_id>/": SIGNED_IN_ONLY,
    "POST waitlist/join/<int:product_id>/": SIGNED_IN_ONLY,
    "POST waitlist/<int:entry_id>/cancel/": Rule(frozenset(), others=ANSWERED),
    # Producers' insights: a merchant's staff see their own products only.
    "GET merchant/insights/": MERCHANTS,
    "GET merchant/insights/summary.csv": MERCHANTS,
    "GET merchant/insights/<int:product_id>/": only(MERCHANT_STAFF),
    "GET merchant/insights/<int:product_id>/demand.csv": only(MERCHANT_STAFF),
    # Asked without a key it finds nothing (404) for anyone signed in.
    "GET orders/outcome/": Rule(frozenset(), others=ANSWERED),
    # The offline helper's service worker: a static script anyone may load.
    "GET sw.js": PUBLIC,
    # Door losses: the supervisor and the operator review them; only the operator clears
    # one (the world has none, so the operator's answer is a 404 past the gate).
    "GET door-losses/": only(SUPERVISOR, OPERATOR),
    "POST door-losses/<int:loss_id>/clear/": Rule(
        frozenset(), exceptions={OPERATOR: ANSWERED}
    ),
    "GET orders/<int:order_id>/": only(SHOPPER),
    "POST orders/<int:order_id>/cancel/": only(SHOPPER),
    # The merchant's pages: staff of the merchant whose fulfilment or product it is.
    # Only a redirect to the queue, which checks.
    "GET merchant/": PUBLIC,
    "POST merchant/": PUBLIC,
    "GET merchant/queue/": MERCHANTS,
    "POST merchant/queue/<int:fulfilment_id>/reject/": only(MERCHANT_STAFF),
    "GET merchant/queue/<int:fulfilment_id>/reject/": only(MERCHANT_STAFF),
    "POST merchant/queue/<int:fulfilment_id>/<slug:action>/": only(MERCHANT_STAFF),
    "GET merchant/hours/": MERCHANTS,
    "POST merchant/hours/": MERCHANTS,
    "GET merchant/hours/<int:merchant_id>/": only(MERCHANT_STAFF),
    "POST merchant/hours/<int:merchant_id>/": only(MERCHANT_STAFF),
    "GET merchant/products/": MERCHANTS,
    "GET merchant/products/new/": MERCHANTS,
    "POST merchant/products/new/": MERCHANTS,
    "GET merchant/products/<int:product_id>/": only(MERCHANT_STAFF),
    "POST merchant/products/<int:product_id>/": only(MERCHANT_STAFF),
    "POST merchant/products/<int:product_id>/photo/": only(MERCHANT_STAFF),
    "POST merchant/products/<int:product_id>/sale/<slug:action>/": only(MERCHANT_STAFF),
    "POST merchant/products/<int:product_id>/kitchen/": only(MERCHANT_STAFF),
    "POST merchant/products/<int:product_id>/option-groups/": only(MERCHANT_STAFF),
    "POST merchant/option-groups/<int:group_id>/options/": only(MERCHANT_STAFF),
    "POST merchant/option-groups/<int:group_id>/remove/": only(MERCHANT_STAFF),
    "POST merchant/options/<int:option_id>/remove/": only(MERCHANT_STAFF),
    "GET merchant/products/<int:product_id>/stock/": only(MERCHANT_STAFF),
    "POST merchant/products/<int:product_id>/stock/<slug:kind>/": only(MERCHANT_STAFF),
    # The kitchen: staff of a restaurant (the other merchant keeps a shop, not a restaurant).
    "GET kitchen/": only(MERCHANT_STAFF),
    "POST kitchen/dishes/<int:product_id>/<slug:state>/": only(MERCHANT_STAFF),
    "POST kitchen/<int:fulfilment_id>/<slug:action>/": only(MERCHANT_STAFF),
    # The logistics office.
    "GET logistics/": only(OPERATOR),
    "POST logistics/dispatch/": only(OPERATOR),
    "POST logistics/jobs/<int:job_id>/assign/": only(OPERATOR),
    "POST logistics/jobs/<int:job_id>/unassign/": only(OPERATOR),
    "POST logistics/jobs/<int:job_id>/unlock/": only(OPERATOR),
    # The courier's pages: the job is on this courier's route.
    "GET courier/": only(COURIER),
    "POST courier/duty/": only(COURIER),
    "GET courier/jobs/<int:job_id>/": only(COURIER),
    "POST courier/jobs/<int:job_id>/pick-up/": only(COURIER),
    "POST courier/jobs/<int:job_id>/hand-over/": only(COURIER),
    "POST courier/jobs/<int:job_id>/fail/": only(COURIER),
    # The bank counter.
    "GET teller/": only(TELLER),
    "GET teller/holders/<str:username>/": only(TELLER),
    "POST teller/holders/<str:username>/cards/": only(TELLER),
    "GET teller/cards/<str:number>/": only(TELLER),
    "POST teller/cards/<str:number>/topups/": only(TELLER),
    "POST teller/cards/<str:number>/block/": only(TELLER),
    "POST teller/cards/<str:number>/unblock/": only(TELLER),
    "POST teller/cards/<str:number>/pin/": only(TELLER),
    "GET teller/cards/<str:number>/statement/": only(TELLER),
    "POST teller/drawer/open/": only(TELLER),
    "POST teller/drawer/close/": only(TELLER),
    # Large top-ups wait for a supervisor (never the teller who took them).
    "GET teller/approvals/": only(SUPERVISOR),
    "GET teller/card-actions/": only(SUPERVISOR),
    "POST teller/approvals/<int:top_up_id>/approve/": only(SUPERVISOR),
    "POST teller/approvals/<int:top_up_id>/reject/": only(SUPERVISOR),
    # A holder's own cards and QR payments.
    "GET cards/": SIGNED_IN_ONLY,
    "GET cards/qr/new/": MERCHANTS,
    "POST cards/qr/new/": MERCHANTS,
    "GET cards/qr/<str:token>/": only(MERCHANT_STAFF),
    # The image of an open request's code: whoever holds the token may see it (it is the secret).
    "GET cards/qr/<str:token>.svg": PUBLIC,
    "GET cards/settlement/": MERCHANTS,
    "GET cards/<str:number>/": only(SHOPPER),
    "GET pay/<str:token>/": SIGNED_IN_ONLY,
    "POST pay/<str:token>/": Rule(frozenset({SHOPPER}), others=INVALID),
    # The storefront.
    "GET ": PUBLIC,
    "GET categories/<int:category_id>/": PUBLIC,
    "GET merchants/": PUBLIC,
    "GET merchants/<int:merchant_id>/": PUBLIC,
    "GET products/<int:product_id>/": PUBLIC,
    "GET products/<int:product_id>/sellers/": PUBLIC,
    "GET search/": PUBLIC,
    "POST language/": PUBLIC,
}

API_RULES: dict[str, Rule] = {
    "GET /api/v1/waitlist": SHOPPERS,
    "POST /api/v1/products/{product_id}/waitlist": SHOPPERS,
    "POST /api/v1/waitlist/{entry_id}/cancel": Rule(frozenset(), others=ANSWERED),
    "GET /api/v1/merchant/insights/products/{product_id}": only(MERCHANT_STAFF),
    "GET /api/v1/ops/insights/demand": only(OPERATOR),
    "POST /api/v1/merchant/products/{product_id}/period-limit": only(
        MERCHANT_STAFF, OPERATOR
    ),
    # Everyone signed in has a phone to verify (door payments need it).
    "GET /api/v1/me/phone": SIGNED_IN_ONLY,
    "POST /api/v1/me/phone/code": SIGNED_IN_ONLY,
    "POST /api/v1/me/phone/verify": SIGNED_IN_ONLY,
    # Door losses: the supervisor and the operator review; the operator clears (the world has
    # none, so the operator's answer is a 404 past the gate).
    "GET /api/v1/supervisor/door-losses": only(SUPERVISOR, OPERATOR),
    "POST /api/v1/ops/door-losses/{loss_id}/clear": Rule(
        frozenset(), exceptions={OPERATOR: ANSWERED}
    ),
    "POST /api/v1/auth/token": PUBLIC,
    "POST /api/v1/auth/logout": SIGNED_IN_ONLY,
    "GET /api/v1/categories": PUBLIC,
    "GET /api/v1/merchants": PUBLIC,
    "GET /api/v1/products": PUBLIC,
    "GET /api/v1/products/{product_id}": PUBLIC,
    "GET /api/v1/ops/audit": only(OPERATOR),
    "POST /api/v1/ops/dispatch": only(OPERATOR),
    "POST /api/v1/teller/cards": only(TELLER),
    "POST /api/v1/teller/cards/{number}/topups": only(TELLER),
    "POST /api/v1/teller/cards/{number}/block": only(TELLER),
    "POST /api/v1/teller/cards/{number}/unblock": only(TELLER),
    "POST /api/v1/teller/cards/{number}/pin": only(TELLER),
    # The holder's card, and every card for the bank counter.
    "POST /api/v1/teller/drawer/open": only(TELLER),
    "GET /api/v1/teller/drawer": only(TELLER),
    "POST /api/v1/teller/drawer/close": only(TELLER),
    "GET /api/v1/teller/topups": only(TELLER, SUPERVISOR),
    "POST /api/v1/teller/topups/{top_up_id}/approve": only(SUPERVISOR),
    "POST /api/v1/teller/topups/{top_up_id}/reject": only(SUPERVISOR),
    "GET /api/v1/supervisor/drawers": only(SUPERVISOR),
    "GET /api/v1/cards/{number}": only(SHOPPER, TELLER),
    "GET /api/v1/cards/{number}/statement": only(SHOPPER, TELLER),
    # The card's journal: supervisors oversee the tellers' actions, so they read it too.
    "GET /api/v1/cards/{number}/events": only(SHOPPER, TELLER, SUPERVISOR),
    "POST /api/v1/qr-requests": MERCHANTS,
    "GET /api/v1/qr-requests/{token}": SIGNED_IN_ONLY,
    "POST /api/v1/qr-requests/{token}/approve": only(SHOPPER),
    "POST /api/v1/orders": only(SHOPPER),
    "GET /api/v1/orders": SHOPPERS,
    "GET /api/v1/orders/{order_id}": only(SHOPPER),
    "POST /api/v1/orders/{order_id}/cancel": only(SHOPPER),
    "GET /api/v1/merchant/fulfilments": MERCHANTS,
    "GET /api/v1/merchant/fulfilments/{fulfilment_id}": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/fulfilments/{fulfilment_id}/accept": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/fulfilments/{fulfilment_id}/reject": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/fulfilments/{fulfilment_id}/preparing": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/fulfilments/{fulfilment_id}/ready": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/products": MERCHANTS,
    "POST /api/v1/merchant/products/{product_id}/stock": only(MERCHANT_STAFF),
    "GET /api/v1/merchant/dishes/{product_id}": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/dishes/{product_id}/kitchen": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/dishes/{product_id}/option-groups": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/option-groups/{group_id}/options": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/option-groups/{group_id}/remove": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/options/{option_id}/remove": only(MERCHANT_STAFF),
    "GET /api/v1/merchant/merchants": MERCHANTS,
    "GET /api/v1/merchant/merchants/{merchant_id}/hours": only(MERCHANT_STAFF),
    "POST /api/v1/merchant/merchants/{merchant_id}/hours": only(MERCHANT_STAFF),
    "GET /api/v1/courier/jobs": only(COURIER),
    "GET /api/v1/courier/jobs/{job_id}": only(COURIER),
    "POST /api/v1/courier/jobs/{job_id}/pickup": only(COURIER),
    "POST /api/v1/courier/jobs/{job_id}/deliver": only(COURIER),
    "POST /api/v1/courier/jobs/{job_id}/fail": only(COURIER),
    "POST /api/v1/courier/duty": only(COURIER),
    "POST /api/v1/ops/delivery-jobs/{job_id}/assign": only(OPERATOR),
    "POST /api/v1/ops/delivery-jobs/{job_id}/unassign": only(OPERATOR),
    "POST /api/v1/ops/delivery-jobs/{job_id}/unlock": only(OPERATOR),
    "GET /api/v1/terminal/fulfilments/{fulfilment_id}": only(COURIER, OPERATOR),
    "POST /api/v1/terminal/payments": only(COURIER, OPERATOR),
}
# fmt: on

# The value of each path parameter: an object of the shopper's or of the merchant's shops.
# ``ROUTE_VALUES`` overrides one route's (a dish where a dish is meant, say).
PATH_VALUES: dict[str, Callable[[World], object]] = {
    "address_id": lambda w: w.address.pk,
    # No waitlist entry exists in the world: any id reaches the gate, then finds nothing.
    "entry_id": lambda _w: 1,
    # No door loss exists in the world: any id reaches the gate, then finds nothing.
    "loss_id": lambda _w: 1,
    "line_id": lambda w: w.basket_line_id,
    "order_id": lambda w: w.pending_order_id,
    "fulfilment_id": lambda w: w.pending_fulfilment.pk,
    "merchant_id": lambda w: w.merchant.pk,
    "product_id": lambda w: w.product.pk,
    "group_id": lambda w: w.option_group.pk,
    "option_id": lambda w: w.option.pk,
    "job_id": lambda w: w.job.pk,
    "username": lambda w: w.people[SHOPPER].username,
    "number": lambda w: w.shopper_card.number,
    "token": lambda w: w.qr.token,
    "category_id": lambda w: w.category.pk,
    "top_up_id": lambda w: w.top_up_id,
    "action": lambda w: "accept",
    "kind": lambda w: "receive",
    "state": lambda w: "sold-out",
    "path": lambda w: "matrix-probe.txt",
}
ROUTE_VALUES: dict[str, dict[str, Callable[[World], object]]] = {
    "merchant/products/<int:product_id>/sale/<slug:action>/": {
        "action": lambda w: "withdraw"
    },
    "merchant/products/<int:product_id>/kitchen/": {"product_id": lambda w: w.dish.pk},
    "merchant/products/<int:product_id>/option-groups/": {
        "product_id": lambda w: w.dish.pk
    },
    "kitchen/dishes/<int:product_id>/<slug:state>/": {
        "product_id": lambda w: w.dish.pk
    },
    "kitchen/<int:fulfilment_id>/<slug:action>/": {
        "fulfilment_id": lambda w: w.dish_fulfilment.pk
    },
    "/api/v1/merchant/dishes/{product_id}": {"product_id": lambda w: w.dish.pk},
    "/api/v1/merchant/dishes/{product_id}/kitchen": {"product_id": lambda w: w.dish.pk},
    "/api/v1/merchant/dishes/{product_id}/option-groups": {
        "product_id": lambda w: w.dish.pk
    },
    "/api/v1/terminal/fulfilments/{fulfilment_id}": {
        "fulfilment_id": lambda w: w.door_fulfilment.pk
    },
}


def api_bodies(world: World) -> dict[str, Any]:
    """A body the schema accepts for each operation that takes one."""
    record = signed_record(world.chip, fulfilment_id=world.door_fulfilment.pk)
    return {
        "POST /api/v1/me/phone/verify": {"code": "000000"},
        "POST /api/v1/products/{product_id}/waitlist": {"quantity": 1},
        "POST /api/v1/merchant/products/{product_id}/period-limit": {
            "units": 2,
            "days": 7,
        },
        "POST /api/v1/ops/door-losses/{loss_id}/clear": {"note": "창구에서 갚음"},
        "POST /api/v1/auth/token": {
            "username": world.people[SHOPPER].username,
            "password": "okryu-test-password",
        },
        "POST /api/v1/teller/cards": {
            "holder": world.people[OTHER_SHOPPER].username,
            "phone": "191-234-5609",
            "pin": "5927",
        },
        "POST /api/v1/teller/cards/{number}/topups": {"amount": 1_000},
        "POST /api/v1/teller/cards/{number}/block": {"reason": "lost"},
        "POST /api/v1/teller/cards/{number}/pin": {"pin": "5927"},
        "POST /api/v1/teller/drawer/close": {"counted": 0, "note": "마감"},
        "POST /api/v1/teller/topups/{top_up_id}/reject": {"reason": "돈이 모자랍니다"},
        "POST /api/v1/qr-requests": {"amount": 1_000, "description": "두부"},
        "POST /api/v1/qr-requests/{token}/approve": {
            "card": world.shopper_card.number,
            "pin": TEST_PIN,
        },
        "POST /api/v1/orders": {
            "lines": [{"product": world.product.pk, "quantity": 1}],
            "address": {"district": "near", "detail": "3-201호"},
            "card": world.shopper_card.number,
            "pin": TEST_PIN,
        },
        "POST /api/v1/merchant/fulfilments/{fulfilment_id}/reject": {
            "reason": "다 팔렸습니다"
        },
        "POST /api/v1/merchant/products": {
            "name": "두부",
            "name_en": "Tofu",
            "category": world.category.pk,
            "price": 1_000,
            "unit": "모",
            "weight_g": 300,
            "stock": 5,
        },
        "POST /api/v1/merchant/products/{product_id}/stock": {"receive": 5},
        "POST /api/v1/merchant/dishes/{product_id}/kitchen": {
            "daily_capacity": 10,
            "sold_out": False,
            "preparation_minutes": 20,
        },
        "POST /api/v1/merchant/dishes/{product_id}/option-groups": {
            "name": "맵기",
            "name_en": "Spice",
            "choice": "one",
        },
        "POST /api/v1/merchant/option-groups/{group_id}/options": {
            "name": "매운맛",
            "name_en": "Hot",
            "price_change": 0,
        },
        "POST /api/v1/merchant/merchants/{merchant_id}/hours": {
            "periods": [{"weekday": 0, "opens_at": "09:00", "closes_at": "18:00"}]
        },
        "POST /api/v1/courier/jobs/{job_id}/deliver": {"code": "000000"},
        "POST /api/v1/courier/jobs/{job_id}/fail": {"reason": "아무도 없습니다"},
        "POST /api/v1/courier/duty": {"on_duty": True},
        "POST /api/v1/ops/delivery-jobs/{job_id}/assign": {"courier": world.courier.pk},
        "POST /api/v1/terminal/payments": {
            "fulfilment": world.door_fulfilment.pk,
            "card": record.card_number,
            "amount": record.amount_won,
            "counter": record.counter,
            "challenge": record.challenge,
            "mac": record.mac,
        },
    }


def page_data(world: World) -> dict[str, dict[str, str | int]]:
    """Form fields a POST needs to reach its view's own checks (most need none)."""
    return {
        "POST basket/add/": {"product": world.product.pk, "quantity": 1},
        # The shopper's card: only the shopper may pay with it.
        "POST pay/<str:token>/": {
            "card": world.shopper_card.number,
            "pin": TEST_PIN,
            "idempotency_key": "matrix-pay",
        },
    }


@dataclass(frozen=True)
class PageRoute:
    """One pattern of the URL resolver: its route, URL name and the methods its view has."""

    route: str
    name: str
    methods: tuple[str, ...]
    pattern: URLPattern

    @property
    def is_admin(self) -> bool:
        return self.name == "admin" or self.name.startswith("admin:")


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace or "")))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = ":".join(filter(None, (namespace, pattern.name or "")))
            yield prefix + str(pattern.pattern), name, pattern


def _view_methods(pattern: URLPattern) -> tuple[str, ...]:
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return ("GET",)
    return tuple(
        m.upper()
        for m in ("get", "post")
        if hasattr(view_class, m) and m in view_class.http_method_names
    )


def _api_route(route: str) -> str:
    """``api/v1/orders/<order_id>`` as the schema writes it: ``/api/v1/orders/{order_id}``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def page_routes() -> list[PageRoute]:
    """Every pattern of the resolver except the API's operations (the schema has those)."""
    api_paths = set(api.get_openapi_schema()["paths"])
    routes = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if _api_route(route) in api_paths:
            continue
        methods = _view_methods(pattern)
        if getattr(pattern.callback, "view_class", None) is None:
            named = {
                key.split(" ", 1)[0]
                for key in PAGE_RULES
                if key.split(" ", 1)[1] == route
            }
            methods = tuple(sorted(named)) or methods
        routes.append(PageRoute(route, name, methods, pattern))
    return routes


def api_operations() -> list[str]:
    """Every operation of the OpenAPI schema, as ``METHOD /path``."""
    paths = api.get_openapi_schema()["paths"]
    return [
        f"{method.upper()} {path}" for path, item in paths.items() for method in item
    ]


def page_rule_keys(routes: list[PageRoute]) -> set[str]:
    return {f"{m} {r.route}" for r in routes if not r.is_admin for m in r.methods}


def test_every_page_route_has_a_rule() -> None:
    keys = page_rule_keys(page_routes())

    missing = sorted(keys - PAGE_RULES.keys())
    stale = sorted(PAGE_RULES.keys() - keys)

    assert not missing, f"page routes without a rule in PAGE_RULES: {missing}"
    assert not stale, f"rules in PAGE_RULES for routes that no longer exist: {stale}"


def test_every_api_operation_has_a_rule() -> None:
    operations = set(api_operations())

    missing = sorted(operations - API_RULES.keys())
    stale = sorted(API_RULES.keys() - operations)

    assert not missing, f"API operations without a rule in API_RULES: {missing}"
    assert not stale, f"rules in API_RULES for operations that no longer exist: {stale}"


def outcome(response: HttpResponseBase) -> str:
    """What the answer means for authorization: allowed, sent to sign in, or refused."""
    status = response.status_code
    if status == 503:
        return UNAVAILABLE
    assert status < 500, f"server error {status}"
    if status == 401:
        return LOGIN
    if (
        status in (301, 302, 303, 307)
        and urlsplit(response["Location"]).path in LOGIN_PATHS
    ):
        return LOGIN
    if status in (403, 404):
        return DENY
    if status == 422:
        return INVALID
    return ALLOW


def isolated(client: Client, send: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """Send one request in a savepoint rolled back after it: nothing it changes stays.

    The client's cookies are put back too, so a sign-out does not sign the next request out.
    """
    cookies = copy.deepcopy(client.cookies)
    block = transaction.atomic()
    # Marked as Django's TestCase marks its own blocks, so durable blocks inside still run.
    block._from_testcase = True  # type: ignore[attr-defined]
    with block:
        response = send()
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _values(world: World, route: str, names: list[str]) -> dict[str, object]:
    overrides = ROUTE_VALUES.get(route, {})
    return {name: (overrides.get(name) or PATH_VALUES[name])(world) for name in names}


@dataclass
class Mismatches:
    """The requests whose answer differs from the rule, to report all of them at once."""

    rows: list[str] = field(default_factory=list)
    checked: int = 0

    def check(
        self, key: str, role: str, expected: str, response: HttpResponseBase
    ) -> None:
        self.checked += 1
        try:
            got = outcome(response)
        except AssertionError as error:
            got = str(error)
        if expected == ANSWERED and got in (ALLOW, DENY, INVALID):
            return
        if expected == PROBED and got in (ALLOW, UNAVAILABLE):
            return
        if got != expected and (expected, got) != (ALLOW, INVALID):
            self.rows.append(
                f"{key} as {role}: expected {expected}, got {got} ({response.status_code})"
            )

    def assert_none(self) -> None:
        report = "\n".join([f"{len(self.rows)} mismatches:", *self.rows])
        if os.environ.get("MATRIX_REPORT"):
            Path(os.environ["MATRIX_REPORT"]).write_text(report)
        assert not self.rows, report


def page_clients(world: World) -> dict[str, Client]:
    # A server error is reported with the others, not raised.
    clients = {ANONYMOUS: Client(raise_request_exception=False)}
    for role, user in world.people.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


def fill_route(route: str, values: dict[str, object]) -> str:
    """The path of ``route`` (a ``path()`` route, a regex or an OpenAPI path) with ``values``."""
    route = re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), path)
    return "/" + path.replace("^", "").replace("$", "")


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>|\{(\w+)\}")


def route_parameters(route: str) -> list[str]:
    """The names of the parameters of a route, a regex or an OpenAPI path."""
    return ["".join(groups) for groups in PARAMETER.findall(route)]


def _page_path(route: PageRoute, world: World) -> str:
    return fill_route(
        route.route, _values(world, route.route, route_parameters(route.route))
    )


@pytest.fixture
def media_file() -> Iterator[str]:
    """A file the media route can serve (photos live in memory in the tests)."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    probe = media_root / "matrix-probe.txt"
    probe.write_text("a photo's place")
    yield probe.name
    probe.unlink()


@pytest.mark.usefixtures("media_file")
def test_every_page_route_answers_every_role_as_its_rule_says() -> None:
    world = build_world()
    clients = page_clients(world)
    mismatches = Mismatches()

    for route in page_routes():
        if route.is_admin:
            continue
        path = _page_path(route, world)
        for method in route.methods:
            key = f"{method} {route.route}"
            rule = PAGE_RULES[key]
            for role in ROLES:
                client = clients[role]
                send = client.get if method == "GET" else client.post
                data: dict[str, str | int] = (
                    page_data(world).get(key, {}) if method == "POST" else {}
                )
                response = isolated(client, partial(send, path, data))
                mismatches.check(key, role, rule.expect(role), response)

    mismatches.assert_none()


def test_every_api_operation_answers_every_role_as_its_rule_says() -> None:
    world = build_world()
    client = Client(raise_request_exception=False)
    bodies = api_bodies(world)
    mismatches = Mismatches()

    for key in api_operations():
        method, route = key.split(" ", 1)
        path = fill_route(
            route.lstrip("/"), _values(world, route, route_parameters(route))
        )
        rule = API_RULES[key]
        for role in ROLES:
            headers = {"Idempotency-Key": f"matrix-{role}"}
            if role != ANONYMOUS:
                headers["Authorization"] = f"Bearer {world.tokens[role]}"
            body = bodies.get(key)
            response = isolated(
                client,
                partial(
                    client.generic,
                    method,
                    path,
                    data=json.dumps(body) if body is not None else "",
                    content_type="application/json",
                    headers=headers,
                ),
            )
            mismatches.check(key, role, rule.expect(role), response)

    mismatches.assert_none()


# The admin's own pages that are not behind its gate, or answer the gate's user otherwise.
ADMIN_RULES: dict[str, Rule] = {
    "admin:login": PUBLIC,
    # Shadowed by "admin/logout/" above: the pages' sign-out answers this path.
    "admin:logout": PUBLIC,
    # A second factor's secret is never shown, not even to the operator (403).
    "admin:otp_totp_totpdevice_config": Rule(
        frozenset(), others=LOGIN, exceptions={OPERATOR: DENY}
    ),
    "admin:otp_totp_totpdevice_qrcode": Rule(
        frozenset(), others=LOGIN, exceptions={OPERATOR: DENY}
    ),
}


def _admin_values(route: PageRoute, world: World) -> dict[str, object]:
    """Values for an admin route: the first row of its model, its app, an unknown path."""
    values: dict[str, object] = {"url": "no-such-page/", "content_type_id": 0}
    # An account's pages (its password) are named after auth's user: the operator's own.
    object_id: object = world.people[OPERATOR].pk
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix):
            first = model._default_manager.order_by("pk").first()
            object_id = first.pk if first is not None else 0
    values.update(object_id=object_id, pk=object_id, id=object_id)
    app_labels = re.search(r"\(\?P<app_label>([\w|]+)\)", route.route)
    if app_labels:
        values["app_label"] = app_labels[1].split("|")[0]
    return values


def test_every_admin_page_lets_in_only_the_operator() -> None:
    world = build_world()
    clients = page_clients(world)
    mismatches = Mismatches()

    for route in page_routes():
        if not route.is_admin:
            continue
        path = fill_route(route.route, _admin_values(route, world))
        rule = ADMIN_RULES.get(route.name, ADMIN_RULE)
        for role in ROLES:
            response = isolated(clients[role], partial(clients[role].get, path))
            mismatches.check(f"GET {route.route}", role, rule.expect(role), response)

    mismatches.assert_none()


def test_the_admin_never_shows_a_second_factor_secret_even_to_the_operator() -> None:
    world = build_world()
    device = TOTPDevice.objects.create(user=world.people[TELLER], name="teller's phone")
    client = Client(raise_request_exception=False)
    client.force_login(world.people[OPERATOR])

    pages = [
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{page}/")
        for page in ("config", "qrcode")
    ]
    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert [page.status_code for page in pages] == [403, 403]
    assert change.status_code == 200
    assert device.key not in change.content.decode()
    assert "otpauth://" not in change.content.decode()


def test_a_shopper_can_neither_read_nor_cancel_another_shoppers_order() -> None:
    world = build_world()
    order_id = world.pending_order_id
    intruder = world.people[OTHER_SHOPPER]
    token = {"Authorization": f"Bearer {world.tokens[OTHER_SHOPPER]}"}
    api = Client()
    pages = Client()
    pages.force_login(intruder)

    answers = [
        api.get(f"/api/v1/orders/{order_id}", headers=token),
        api.post(f"/api/v1/orders/{order_id}/cancel", headers=token),
        pages.get(f"/orders/{order_id}/"),
        pages.post(f"/orders/{order_id}/cancel/"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert str(order_id) not in answers[0].content.decode()
    world.pending_fulfilment.refresh_from_db()
    assert world.pending_fulfilment.status == "placed"


def test_a_merchants_staff_cannot_touch_another_merchants_shop() -> None:
    world = build_world()
    token = {"Authorization": f"Bearer {world.tokens[OTHER_MERCHANT_STAFF]}"}
    api = Client()
    pages = Client()
    pages.force_login(world.people[OTHER_MERCHANT_STAFF])
    product, fulfilment = world.product, world.pending_fulfilment
    stock_before = (product.stock_on_hand, product.price_won, product.name)
    hours_before = list(world.merchant.opening_hours.values_list("pk", flat=True))

    answers = [
        api.post(f"/api/v1/merchant/fulfilments/{fulfilment.pk}/accept", headers=token),
        api.post(
            f"/api/v1/merchant/products/{product.pk}/stock",
            {"receive": 5},
            content_type="application/json",
            headers=token,
        ),
        api.post(
            f"/api/v1/merchant/merchants/{world.merchant.pk}/hours",
            {"periods": []},
            content_type="application/json",
            headers=token,
        ),
        pages.post(f"/merchant/queue/{fulfilment.pk}/accept/"),
        pages.post(f"/merchant/products/{product.pk}/", {"name": "가짜", "price": 1}),
        pages.post(f"/merchant/products/{product.pk}/sale/withdraw/"),
    ]

    assert [answer.status_code for answer in answers] == [404] * 6
    product.refresh_from_db()
    fulfilment.refresh_from_db()
    assert (product.stock_on_hand, product.price_won, product.name) == stock_before
    assert product.is_active
    assert fulfilment.status == "placed"
    assert (
        list(world.merchant.opening_hours.values_list("pk", flat=True)) == hours_before
    )
