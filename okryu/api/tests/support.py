"""Helpers of the API tests: typed makers of rows, the bearer header, problem+json checks.

The makers wrap the apps' factory_boy factories so that tests get model instances the type
checker knows (factory_boy's own annotations say a factory call returns the factory).
"""

from typing import Any

from django.http import HttpResponse

from okryu.accounts.models import District, Role, RoleGrant, User
from okryu.accounts.tests.factories import DistrictFactory, UserFactory
from okryu.catalog.models import Category, Product
from okryu.catalog.tests.factories import CategoryFactory, ProductFactory
from okryu.merchants.models import Merchant
from okryu.merchants.tests.factories import MerchantFactory

PASSWORD = "okryu-test-password"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def _made(factory: Any, model: type[Any], fields: dict[str, Any]) -> Any:
    row = factory(**fields)
    assert isinstance(row, model)
    return row


def new_product(**fields: Any) -> Product:
    product: Product = _made(ProductFactory, Product, fields)
    return product


def new_category(**fields: Any) -> Category:
    category: Category = _made(CategoryFactory, Category, fields)
    return category


def new_merchant(**fields: Any) -> Merchant:
    merchant: Merchant = _made(MerchantFactory, Merchant, fields)
    return merchant


def new_district(**fields: Any) -> District:
    district: District = _made(DistrictFactory, District, fields)
    return district


def make_person(*roles: Role, username: str | None = None) -> User:
    fields = {"username": username} if username else {}
    user: User = _made(UserFactory, User, fields)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_problem(response: HttpResponse, *, status: int, code: str) -> dict[str, Any]:
    """Assert that ``response`` is a problem+json with ``status`` and ``code``; return it."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body: dict[str, Any] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:okryu:problem:{code}"
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    return body
