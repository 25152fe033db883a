"""The card statement page a shopper reads after three orders: one line per purchase, named by
merchant and order number; holds apart until charged; a refund linked to its purchase."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from okryu.orders.tests.statement_builders import make_three_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_orders():
    return make_three_orders()


def test_the_statement_page_lists_holds_apart_and_names_each_purchase(three_orders):
    client = Client()
    client.force_login(three_orders["shopper"])
    card = three_orders["card"]
    first, second, third = three_orders["orders"]

    html = client.get(reverse("my-card", args=[card.number])).content.decode()

    pending_table, lines_table = re.findall(r"<table>.*?</table>", html, re.DOTALL)
    assert "승인 대기" in pending_table
    assert second.number in pending_table
    assert first.number not in pending_table
    rows = re.findall(r"<tr id=.*?</tr>", lines_table, re.DOTALL)
    assert len(rows) == 5  # Top-up, two purchases of order 1, order 3 and its refund.
    assert sum(first.number in row for row in rows) == 2
    assert "승인(대기)" not in lines_table
    [refund_row] = [row for row in rows if "환불" in row]
    assert third.number in refund_row
    assert three_orders["shop"].name in refund_row
    assert 'href="#line-' in refund_row
