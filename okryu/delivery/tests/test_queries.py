"""Reads of delivery: visibility and query counts."""

import pytest

from okryu.accounts.models import Role
from okryu.core.errors import NotFound, PermissionDenied
from okryu.delivery.queries import (
    delivery_for_fulfilments,
    get_job_for_courier,
    get_office_overview,
    list_jobs_for_courier,
)
from okryu.delivery.services import dispatch, pick_up_job
from okryu.delivery.tests.builders import Shop, make_courier
from okryu.orders.tests.builders import make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    shop = Shop()
    courier = make_courier()
    jobs = [shop.ready_job() for _ in range(4)]
    make_courier(on_duty=False)
    dispatch()
    return {"shop": shop, "courier": courier, "jobs": jobs}


def test_a_courier_lists_their_jobs_in_route_order(board, django_assert_num_queries):
    with django_assert_num_queries(2):
        jobs = list_jobs_for_courier(courier_user_id=board["courier"].user_id)

    assert [job.route_position for job in jobs] == [1, 2, 3, 4]
    assert [job.pickup_merchant.pk for job in jobs] == [board["shop"].merchant.pk] * 4


def test_another_courier_does_not_see_the_job(board):
    other = make_courier()

    with pytest.raises(NotFound):
        get_job_for_courier(courier_user_id=other.user_id, job_id=board["jobs"][0].pk)
    assert list_jobs_for_courier(courier_user_id=other.user_id) == []


def test_the_office_board_is_for_operators_only(board):
    operator = make_user_with_role(Role.OPERATOR)

    overview = get_office_overview(operator_user_id=operator.pk)
    with pytest.raises(PermissionDenied):
        get_office_overview(operator_user_id=board["courier"].user_id)

    assert overview.waiting_jobs == ()
    assert [c.courier.is_on_duty for c in overview.couriers] == [True, False]
    assert len(overview.couriers[0].jobs) == 4


def test_the_shopper_sees_each_delivery_with_its_code_in_one_query(
    board, django_assert_num_queries
):
    first = board["jobs"][0]
    pick_up_job(courier_user_id=board["courier"].user_id, job_id=first.pk)
    ids = [job.fulfilment_id for job in board["jobs"]] + [999_999]

    with django_assert_num_queries(1):
        found = delivery_for_fulfilments(ids)

    assert set(found) == {job.fulfilment_id for job in board["jobs"]}
    shown = found[first.fulfilment_id].as_api_dict()
    assert shown["status"] == "picked_up"
    assert shown["vehicle"] == "motorbike"
    assert shown["courier"] == str(board["courier"].user)
    assert shown["confirmation_code"] == first.confirmation_code
    assert shown["eta"] is not None
