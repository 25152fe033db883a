import pytest
from django.test import RequestFactory, override_settings

from okryu.api.tests.support import assert_problem, new_merchant, new_product
from okryu.api.v1.pagination import (
    PAGE_NUMBER_MAX,
    PageRequest,
    next_page_url,
    read_page_request,
)
from okryu.core.errors import InvalidInput


@override_settings(OKRYU_PAGE_SIZE=24, OKRYU_PAGE_SIZE_MAX=100)
def test_the_page_size_defaults_to_the_setting():
    assert read_page_request(page=1, page_size=None) == PageRequest(number=1, size=24)


@override_settings(OKRYU_PAGE_SIZE_MAX=100)
@pytest.mark.parametrize(
    ("page", "page_size", "field"),
    [
        pytest.param(0, None, "page", id="page-zero"),
        pytest.param(-1, None, "page", id="page-negative"),
        pytest.param(PAGE_NUMBER_MAX + 1, None, "page", id="page-past-the-max"),
        pytest.param(1, 0, "page_size", id="size-zero"),
        pytest.param(1, 101, "page_size", id="size-one-past-the-max"),
    ],
)
def test_a_page_out_of_range_is_refused_naming_the_field(page, page_size, field):
    with pytest.raises(InvalidInput) as refused:
        read_page_request(page=page, page_size=page_size)

    assert refused.value.field == field


@override_settings(OKRYU_PAGE_SIZE_MAX=100)
def test_the_largest_page_size_and_number_are_allowed():
    assert read_page_request(page=PAGE_NUMBER_MAX, page_size=100).offset == (
        (PAGE_NUMBER_MAX - 1) * 100
    )


def test_the_next_url_keeps_the_other_parameters_and_is_absolute():
    request = RequestFactory().get("/api/v1/products", {"q": "냉면", "page": "2"})

    url = next_page_url(request, PageRequest(number=2, size=10), shown=10, count=35)

    assert url == "http://testserver/api/v1/products?q=%EB%83%89%EB%A9%B4&page=3"


def test_the_last_page_has_no_next_url():
    request = RequestFactory().get("/api/v1/products")

    url = next_page_url(request, PageRequest(number=4, size=10), shown=5, count=35)

    assert url is None


@pytest.mark.django_db
def test_pages_of_products_link_to_the_next_and_count_all(api_client):
    merchant = new_merchant()
    products = [new_product(merchant=merchant, name=f"상품{n:02}") for n in range(5)]

    first = api_client.get("/api/v1/products?page_size=2").json()
    second = api_client.get(first["next"]).json()
    third = api_client.get(second["next"]).json()

    assert [item["id"] for item in first["items"]] == [p.pk for p in products[:2]]
    assert first["next"] == "http://testserver/api/v1/products?page_size=2&page=2"
    assert [item["id"] for item in second["items"]] == [p.pk for p in products[2:4]]
    assert [item["id"] for item in third["items"]] == [products[4].pk]
    assert third["next"] is None
    assert (first["count"], second["count"], third["count"]) == (5, 5, 5)


@pytest.mark.django_db
def test_a_page_past_the_end_is_empty(api_client):
    new_product()

    body = api_client.get("/api/v1/products?page=3").json()

    assert body == {"items": [], "next": None, "count": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("page=-1", "page", id="page-negative"),
        pytest.param("page=0", "page", id="page-zero"),
        pytest.param("page=abc", "page", id="page-not-a-number"),
        pytest.param("page=1.5", "page", id="page-fraction"),
        pytest.param("page_size=1000", "page_size", id="size-too-big"),
        pytest.param("page_size=abc", "page_size", id="size-not-a-number"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/merchants"])
def test_a_bad_page_parameter_is_422_invalid_naming_it(api_client, path, query, field):
    response = api_client.get(f"{path}?{query}")

    body = assert_problem(response, status=422, code="invalid")
    assert body["field"] == field
    assert field in body["detail"]
