"""Use cases of accounts: signing up a shopper, keeping addresses."""

import re

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from okryu.accounts.errors import UsernameTaken
from okryu.accounts.models import Address, District, Role, RoleGrant, User
from okryu.accounts.queries import ADDRESSES_PER_USER_MAX
from okryu.core import clock
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.transactions import service_transaction

USERNAME_LENGTH_MAX = 150
DISPLAY_NAME_LENGTH_MAX = 100
LABEL_LENGTH_MAX = 40
PHONE_DIGITS_MIN = 10
PHONE_DIGITS_MAX = 11
# Separators a person may type inside a phone number: 010-1234-5678, 02 123 4567.
_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")


def normalize_phone(phone: str) -> str:
    """Return the phone number as digits only, or raise InvalidInput.

    A number has 10 or 11 digits and may be typed with dashes, dots, spaces or brackets.
    """
    digits = _PHONE_SEPARATORS.sub("", phone)
    if not (
        digits.isascii()
        and digits.isdigit()
        and PHONE_DIGITS_MIN <= len(digits) <= PHONE_DIGITS_MAX
    ):
        raise InvalidInput(
            "전화번호는 10자리나 11자리 숫자입니다 (예: 010-1234-5678).", field="phone"
        )
    return digits


def _check_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > USERNAME_LENGTH_MAX:
        raise InvalidInput("아이디는 1자부터 150자까지입니다.", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise InvalidInput(
            "아이디에는 글자, 숫자와 @ . + - _ 만 쓸 수 있습니다.", field="username"
        ) from error
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken("이미 쓰이는 아이디입니다.", field="username")
    return username


def _check_display_name(display_name: str) -> str:
    display_name = display_name.strip()
    if not display_name or len(display_name) > DISPLAY_NAME_LENGTH_MAX:
        raise InvalidInput("이름은 1자부터 100자까지입니다.", field="display_name")
    return display_name


def _check_password(password: str, *, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from error


def _get_district(district_id: int) -> District:
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        raise InvalidInput("그런 구역은 없습니다.", field="district")
    return district


def _check_detail(detail: str) -> str:
    detail = detail.strip()
    if not detail or len(detail) > Address.DETAIL_LENGTH_MAX:
        raise InvalidInput("상세 주소는 1자부터 200자까지입니다.", field="detail")
    return detail


def register_shopper(
    *,
    username: str,
    display_name: str,
    phone: str,
    password: str,
    district_id: int,
    address_detail: str,
) -> User:
    """Create a shopper account with its first (default) address and the shopper role.

    Raises InvalidInput naming the field (``username``, ``display_name``, ``phone``,
    ``password``, ``district``, ``detail``) or UsernameTaken; nothing is created then.
    """
    username = _check_username(username)
    user = User(
        username=username,
        display_name=_check_display_name(display_name),
        phone=normalize_phone(phone),
    )
    _check_password(password, user=user)
    district = _get_district(district_id)
    detail = _check_detail(address_detail)
    # The slow password hash is made before the write transaction, never inside it.
    user.set_password(password)
    try:
        return _save_new_shopper(user, district=district, detail=detail)
    except IntegrityError as error:
        # Two sign-ups raced for one username; the case-insensitive unique index refused one.
        raise UsernameTaken("이미 쓰이는 아이디입니다.", field="username") from error


@service_transaction(durable=False)
def _save_new_shopper(unsaved: User, *, district: District, detail: str) -> User:
    # A new row from the unsaved one's fields, so a retried attempt starts clean.
    user = User.objects.create(
        username=unsaved.username,
        display_name=unsaved.display_name,
        phone=unsaved.phone,
        password=unsaved.password,
    )
    RoleGrant.objects.create(user=user, role=Role.SHOPPER)
    Address.objects.create(user=user, district=district, detail=detail, is_default=True)
    return user


@service_transaction(durable=False)
def add_address(
    *,
    user: User,
    district_id: int,
    detail: str,
    label: str = "",
    make_default: bool = False,
) -> Address:
    """Add a delivery address; the first one, or one asked for, becomes the default.

    Raises InvalidInput for an unknown district, an empty or long detail, or when the user
    already has the maximum number of addresses.
    """
    district = _get_district(district_id)
    detail = _check_detail(detail)
    label = label.strip()[:LABEL_LENGTH_MAX]
    User.objects.select_for_update().filter(pk=user.pk).first()
    count = Address.objects.filter(user=user).count()
    if count >= ADDRESSES_PER_USER_MAX:
        raise InvalidInput(
            f"주소는 {ADDRESSES_PER_USER_MAX}개까지 둘 수 있습니다.", field="detail"
        )
    is_default = make_default or count == 0
    if is_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    address = Address.objects.create(
        user=user,
        district=district,
        detail=detail,
        label=label,
        is_default=is_default,
    )
    assert Address.objects.filter(user=user, is_default=True).count() == 1
    return address


@service_transaction(durable=False)
def delete_address(*, user: User, address_id: int) -> None:
    """Delete one of the user's addresses; the oldest remaining one becomes the default.

    Raises NotFound when the address does not exist or belongs to someone else.
    """
    address = Address.objects.filter(pk=address_id, user=user).first()
    if address is None:
        raise NotFound("주소를 찾을 수 없습니다.")
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("id").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])
    assert not Address.objects.filter(pk=address_id).exists()


@service_transaction(durable=False)
def set_default_address(*, user: User, address_id: int) -> Address:
    """Make one of the user's addresses the default one.

    Raises NotFound when the address does not exist or belongs to someone else.
    """
    address = Address.objects.filter(pk=address_id, user=user).first()
    if address is None:
        raise NotFound("주소를 찾을 수 없습니다.")
    # The old default is cleared first: the partial unique index allows one at a time.
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default"])
    assert Address.objects.filter(user=user, is_default=True).count() == 1
    return address


def sign_out_everywhere(*, user: User) -> None:
    """End every session and API token of ``user`` (a staff member logging out).

    Their session auth hash changes (``User._get_session_auth_hash``), which sessions and
    tokens are checked against.
    """
    now = clock.now()
    User.objects.filter(pk=user.pk).update(credentials_revoked_at=now)
    user.credentials_revoked_at = now
