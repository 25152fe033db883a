"""Reads of accounts: a person's addresses and roles, the districts to choose from."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from okryu.accounts.models import Address, District, Role, RoleGrant, User

ADDRESSES_PER_USER_MAX = 20
DISTRICTS_MAX = 1000


@dataclass(frozen=True)
class CityDistricts:
    """The districts of one city, for one group of a district select."""

    city: str
    city_en: str
    districts: tuple[District, ...]


def list_addresses_for_user(*, user: User) -> list[Address]:
    """Return the user's own addresses, the default first, with their districts."""
    return list(
        Address.objects.filter(user=user)
        .select_related("district")
        .order_by("-is_default", "id")[:ADDRESSES_PER_USER_MAX]
    )


def count_addresses_for_user(*, user_id: int) -> int:
    """Return how many addresses the user has."""
    return Address.objects.filter(user_id=user_id).count()


def list_districts() -> list[CityDistricts]:
    """Return every district, grouped by city, in display order (cities by first district)."""
    groups: dict[str, list[District]] = {}
    for district in District.objects.order_by("sort_order", "name")[:DISTRICTS_MAX]:
        groups.setdefault(district.city, []).append(district)
    return [
        CityDistricts(
            city=city, city_en=districts[0].city_en, districts=tuple(districts)
        )
        for city, districts in groups.items()
    ]


def exists_district(*, district_id: int) -> bool:
    """Return whether a district with this id exists."""
    return District.objects.filter(pk=district_id).exists()


# Where a user object keeps its roles for the rest of one request, as Django's auth keeps
# permissions in ``_perm_cache``: the header, the staff-session checks and the page all ask.
ROLES_MEMO_ATTRIBUTE = "_okryu_roles"


def list_roles(user: User | AnonymousUser) -> list[str]:
    """Return the roles the user holds, sorted, as the API names them.

    Read once per user object: a request loads its user afresh, so a grant or a revocation
    shows from the next request on.
    """
    if not user.is_authenticated:
        return []
    memo: list[str] | None = getattr(user, ROLES_MEMO_ATTRIBUTE, None)
    if memo is None:
        memo = sorted(
            RoleGrant.objects.filter(user=user).values_list("role", flat=True)
        )
        setattr(user, ROLES_MEMO_ATTRIBUTE, memo)
    return list(memo)


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    """Return whether the user holds ``role``."""
    return user.is_authenticated and holds_role(user.pk, role)


def holds_role(user_id: int, role: Role) -> bool:
    """Return whether the person with ``user_id`` holds ``role`` (a service knows ids only)."""
    return RoleGrant.objects.filter(user_id=user_id, role=role).exists()
