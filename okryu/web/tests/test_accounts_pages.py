"""The account pages: sign up, log in and out, the profile and its addresses."""

import uuid

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from okryu.accounts.models import Address, District, Role, RoleGrant, User
from okryu.accounts.tests.factories import AddressFactory, DistrictFactory, UserFactory
from okryu.cart.models import BasketLine
from okryu.catalog.services import receive_stock
from okryu.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PASSWORD = "okryu-test-password"


def new_key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def district():
    return DistrictFactory.create(name="중구역", city="평양")


def _signup_data(home_district: District, **changes: str) -> dict[str, str]:
    data = {
        "username": "chollima",
        "display_name": "김철수",
        "phone": "010-1234-5678",
        "password": "noodle-house-77",
        "password_again": "noodle-house-77",
        "district": str(home_district.pk),
        "detail": "1동 201호",
    }
    data.update(changes)
    return data


def test_the_sign_up_page_offers_districts_grouped_by_city(client: Client, district):
    response = client.get(reverse("signup"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<optgroup label="평양">' in html
    assert f'<option value="{district.pk}">중구역</option>' in html


def test_signing_up_creates_a_logged_in_shopper_with_the_address(
    client: Client, district
):
    response = client.post(reverse("signup"), _signup_data(district))

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    user = User.objects.get(username="chollima")
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == [
        "shopper"
    ]
    assert list(
        Address.objects.filter(user=user).values_list("detail", "is_default")
    ) == [("1동 201호", True)]
    assert client.get(reverse("profile")).context["account"] == user


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"password": "short1", "password_again": "short1"},
            "password",
            "최소 8자 이상이어야 합니다.",
            id="short password",
        ),
        pytest.param(
            {"phone": "12-34"},
            "phone",
            "전화번호는 10자리나 11자리 숫자입니다 (예: 010-1234-5678).",
            id="bad phone",
        ),
        pytest.param(
            {"district": "999999"},
            "district",
            "그런 구역은 없습니다.",
            id="unknown district",
        ),
        pytest.param(
            {"password_again": "other-password-1"},
            "password_again",
            "두 비밀번호가 다릅니다.",
            id="passwords differ",
        ),
    ],
)
def test_a_bad_sign_up_shows_the_field_s_error_and_creates_nothing(
    client: Client, district, changes, field, message
):
    response = client.post(reverse("signup"), _signup_data(district, **changes))

    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors)
    assert User.objects.count() == 0
    assert Address.objects.count() == 0


def test_a_taken_username_shows_an_error_and_creates_nothing(client: Client, district):
    UserFactory.create(username="Chollima")

    response = client.post(reverse("signup"), _signup_data(district))

    assert response.status_code == 422
    assert response.context["form"].errors["username"] == ["이미 쓰이는 아이디입니다."]
    assert User.objects.count() == 1


def test_logging_in_and_out(client: Client):
    user = UserFactory.create(username="shopper1")

    response = client.post(
        reverse("login"), {"username": "shopper1", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "work_page"),
    [
        (Role.TELLER, "teller-home"),
        (Role.SUPERVISOR, "supervisor-queue"),
        (Role.OPERATOR, "logistics"),
        (Role.COURIER, "courier-jobs"),
        (Role.MERCHANT, "merchant"),
    ],
)
def test_staff_land_on_their_work_page_after_signing_in(
    client: Client, role, work_page
):
    user = UserFactory.create(username="staff1")
    RoleGrant.objects.create(user=user, role=role)

    response = client.post(
        reverse("login"), {"username": "staff1", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(work_page)


def test_a_shopper_lands_on_the_home_page_and_a_next_page_wins_for_everyone(
    client: Client,
):
    UserFactory.create(username="shopper1")
    teller = UserFactory.create(username="teller1")
    RoleGrant.objects.create(user=teller, role=Role.TELLER)
    basket = reverse("basket")

    shopper = client.post(
        reverse("login"), {"username": "shopper1", "password": PASSWORD}
    )
    client.post(reverse("logout"))
    with_next = client.post(
        reverse("login"),
        {"username": "teller1", "password": PASSWORD, "next": basket},
    )

    assert shopper["Location"] == reverse("home")
    assert with_next["Location"] == basket


def test_a_wrong_password_is_refused_with_a_message(client: Client):
    UserFactory.create(username="shopper1")

    response = client.post(reverse("login"), {"username": "shopper1", "password": "x"})

    assert response.status_code == 422
    assert "아이디나 비밀번호가 틀렸습니다." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_delay_that_account_but_not_another_from_the_same_address(
    client: Client,
):
    UserFactory.create(username="shopper1")
    UserFactory.create(username="shopper2")
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(4):
            client.post(reverse("login"), {"username": "shopper1", "password": "wrong"})

        refused = client.post(
            reverse("login"), {"username": "shopper1", "password": PASSWORD}
        )
    other = Client().post(
        reverse("login"), {"username": "shopper2", "password": PASSWORD}
    )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "5"
    assert "5초 뒤에 다시 해 보십시오" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert other.status_code == 302


def test_the_profile_needs_a_log_in(client: Client):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('profile')}"


def test_the_profile_lists_only_one_s_own_addresses(client: Client):
    user = UserFactory.create()
    AddressFactory.create(user=user, detail="내 집 3-201", is_default=True)
    AddressFactory.create(detail="남의 집 9-999")
    client.force_login(user)

    html = client.get(reverse("profile")).content.decode()

    assert "내 집 3-201" in html
    assert "남의 집 9-999" not in html


def test_adding_an_address_redirects_to_the_profile(client: Client, district):
    user = UserFactory.create()
    client.force_login(user)

    response = client.post(
        reverse("address-add"),
        {"district": district.pk, "detail": "2동", "label": "직장"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert list(
        Address.objects.filter(user=user).values_list("label", "is_default")
    ) == [("직장", True)]


def test_an_address_without_detail_shows_an_error_and_adds_nothing(
    client: Client, district
):
    client.force_login(UserFactory.create())

    response = client.post(
        reverse("address-add"), {"district": district.pk, "detail": ""}
    )

    assert response.status_code == 422
    assert "detail" in response.context["address_form"].errors
    assert Address.objects.count() == 0


def test_deleting_another_person_s_address_is_404_and_changes_nothing(client: Client):
    theirs = AddressFactory.create(is_default=True)
    client.force_login(UserFactory.create())

    delete = client.post(reverse("address-delete", args=[theirs.pk]))
    default = client.post(reverse("address-default", args=[theirs.pk]))

    assert (delete.status_code, default.status_code) == (404, 404)
    assert Address.objects.filter(pk=theirs.pk, is_default=True).exists()


def test_deleting_and_choosing_one_s_own_addresses(client: Client):
    user = UserFactory.create()
    first = AddressFactory.create(user=user, is_default=True)
    second = AddressFactory.create(user=user)
    client.force_login(user)

    assert client.post(reverse("address-default", args=[second.pk])).status_code == 302
    assert client.post(reverse("address-delete", args=[first.pk])).status_code == 302

    assert list(Address.objects.values_list("pk", "is_default")) == [(second.pk, True)]


def test_the_visitor_s_basket_joins_the_account_at_log_in(client: Client):
    user = UserFactory.create(username="shopper1")
    product = ProductFactory.create()
    receive_stock(product_id=product.pk, quantity=5, changed_by=None)
    client.post(
        reverse("basket-add"),
        {"idempotency_key": new_key(), "product": product.pk, "quantity": 2},
    )

    client.post(reverse("login"), {"username": "shopper1", "password": PASSWORD})

    line = BasketLine.objects.get()
    assert (line.basket.user_id, line.basket.session_key, line.quantity) == (
        user.pk,
        None,
        2,
    )


def test_the_log_in_form_is_refused_without_its_csrf_token():
    UserFactory.create(username="shopper1")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("login"), {"username": "shopper1", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_every_faulty_sign_up_field_is_told_at_once(client: Client, district):
    response = client.post(
        reverse("signup"),
        _signup_data(district, phone="12", password="short1", password_again="short1"),
    )

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"phone", "password"}
    assert User.objects.count() == 0


def test_the_profile_names_the_roles_in_korean(client: Client, district):
    client.post(reverse("signup"), _signup_data(district))

    response = client.get(reverse("profile"))

    assert response.context["roles"] == ["구매자"]


def test_the_district_choices_are_named_in_the_visitors_language(client: Client):
    DistrictFactory.create(
        name="중구역", name_en="Central", city="평양", city_en="Pyongyang"
    )

    korean = client.get(reverse("signup")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("signup")).content.decode()

    assert '<optgroup label="평양">' in korean
    assert ">중구역</option>" in korean
    assert '<optgroup label="Pyongyang">' in english
    assert ">Central</option>" in english
    assert "중구역" not in english
