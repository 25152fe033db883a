"""The demo logins of API.md: operator, teller, supervisor, shoppers, couriers and merchant staff.

Every demo login has the password ``okryu-demo``. Besides the named staff logins (``store1``,
``factory1``, ``restaurant1``, ``pharmacy1``), every demo merchant has a staff login named
after its slug (``okryu-gwan``, ``chongryu-gwan``, …), so every demo order can be accepted,
prepared and made ready by someone.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from okryu.accounts.models import Role
from okryu.merchants.models import StaffRole

DEMO_PASSWORD = "okryu-demo"  # noqa: S105 - published in API.md and the README on purpose.


@dataclass(frozen=True)
class HomeAddress:
    """A shopper's default delivery address."""

    district: str
    detail: str


@dataclass(frozen=True)
class DemoUser:
    """One demo login with its role; merchant staff name the merchant they own."""

    username: str
    display_name: str
    phone: str
    role: Role
    home: HomeAddress | None = None
    merchant: str = ""
    is_admin: bool = False
    staff_role: StaffRole = StaffRole.OWNER


# fmt: off
DEMO_USERS = (
    DemoUser("operator", "김영철", "191-234-0001", Role.OPERATOR, is_admin=True),
    DemoUser("teller", "리은정", "191-234-0002", Role.TELLER),
    DemoUser("supervisor", "장명수", "191-234-0003", Role.SUPERVISOR),
    DemoUser("shopper1", "박성철", "191-234-5601", Role.SHOPPER,
             HomeAddress("central", "창전거리 3호동 12층 1203호")),
    DemoUser("shopper2", "최금순", "191-234-5602", Role.SHOPPER,
             HomeAddress("mangyongdae", "광복거리 8호동 5층 502호")),
    DemoUser("shopper3", "강명희", "195-234-5603", Role.SHOPPER,
             HomeAddress("taesong", "려명거리 2호동 21층 2104호")),
    DemoUser("courier1", "정혁철", "191-234-7701", Role.COURIER),
    DemoUser("courier2", "한광명", "191-234-7702", Role.COURIER),
    DemoUser("courier3", "류성남", "191-234-7703", Role.COURIER),
    DemoUser("courier4", "로철민", "195-234-7704", Role.COURIER),
    DemoUser("courier5", "림옥별", "195-234-7705", Role.COURIER),
    DemoUser("store1", "홍순희", "191-234-8801", Role.MERCHANT,
             merchant="pyongyang-department-store-1"),
    DemoUser("factory1", "오세혁", "191-234-8802", Role.MERCHANT, merchant="ryuwon-shoes"),
    DemoUser("restaurant1", "김향미", "191-234-8803", Role.MERCHANT, merchant="okryu-gwan"),
    DemoUser("pharmacy1", "문정애", "191-234-8804", Role.MERCHANT,
             merchant="pyongyang-pharmacy-1"),
)
# fmt: on

# The first demo user; when it exists, the demo data has been loaded (in one transaction).
MARKER_USERNAME = DEMO_USERS[0].username


def merchant_staff_logins(
    merchants: Iterable[tuple[str, str, str]],
) -> tuple[DemoUser, ...]:
    """Return one staff login per merchant ``(slug, name, phone)``: the login is the slug.

    The member is staff (not owner) of that merchant, named "<merchant> 직원", with the
    merchant's phone.
    """
    logins = tuple(
        DemoUser(
            slug,
            f"{name} 직원",
            phone,
            Role.MERCHANT,
            merchant=slug,
            staff_role=StaffRole.STAFF,
        )
        for slug, name, phone in merchants
    )
    named = {user.username for user in DEMO_USERS}
    assert not named & {login.username for login in logins}, "a slug names a demo login"
    return logins
