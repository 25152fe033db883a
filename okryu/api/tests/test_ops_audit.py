import pytest

from okryu.api.tests.support import assert_problem, bearer, new_product
from okryu.catalog.models import Product
from okryu.catalog.services import receive_stock
from okryu.payments.models import LedgerAccount, LedgerAccountKind

pytestmark = pytest.mark.django_db

AUDIT_URL = "/api/v1/ops/audit"


def test_the_audit_of_clean_data_is_all_zeros(api_client, operator_token):
    product = new_product()
    receive_stock(product_id=product.pk, quantity=10, changed_by=None)

    response = api_client.get(AUDIT_URL, **bearer(operator_token))

    assert response.status_code == 200
    assert response.json() == {
        "ledger": {
            "sum_of_balances": 0,
            "negative_shopper_accounts": 0,
            "transfers": 0,
            "accounts": 0,
            "balance_mismatches": 0,
            "held_mismatches": 0,
            "captures_over_hold": 0,
            "over_refunded_transfers": 0,
        },
        "stock": {
            "negative_on_hand": 0,
            "reserved_over_on_hand": 0,
            "unbalanced_products": 0,
            "offered_over_received": 0,
        },
        "orders": {
            "paid_not_equal_captured": 0,
            "refunded_not_equal_refunds": 0,
            "open_holds_of_closed_fulfilments": 0,
            "missing_holds_of_open_fulfilments": 0,
            "orders_not_summing": 0,
            "reserved_not_matching_open_lines": 0,
            "portions_not_matching_lines": 0,
            "door_payments_not_matching_ledger": 0,
            "unpaid_door_handovers": 0,
        },
        "delivery": {
            "open_jobs_of_closed_fulfilments": 0,
            "loads_not_matching_jobs": 0,
        },
        "counter": {
            "topups_over_threshold_without_approval": 0,
            "drawers_not_matching_ledger": 0,
            "drawers_with_difference": 0,
        },
    }


def test_the_audit_counts_a_product_whose_books_do_not_balance(
    api_client, operator_token
):
    product = new_product()
    receive_stock(product_id=product.pk, quantity=10, changed_by=None)
    # Bypass the services, as a bug or a hand edit would: on hand rises, nothing received.
    Product.objects.filter(pk=product.pk).update(stock_on_hand=15)

    response = api_client.get(AUDIT_URL, **bearer(operator_token))

    assert response.json()["stock"] == {
        "negative_on_hand": 0,
        "reserved_over_on_hand": 0,
        "unbalanced_products": 1,
        "offered_over_received": 0,
    }


def test_the_audit_is_recomputed_at_every_call(api_client, operator_token):
    product = new_product()
    first = api_client.get(AUDIT_URL, **bearer(operator_token)).json()
    Product.objects.filter(pk=product.pk).update(stock_sold=3)

    second = api_client.get(AUDIT_URL, **bearer(operator_token)).json()

    assert first["stock"]["unbalanced_products"] == 0
    assert second["stock"]["unbalanced_products"] == 1


def test_the_audit_needs_a_token(api_client):
    assert_problem(api_client.get(AUDIT_URL), status=401, code="unauthenticated")


def test_the_audit_is_refused_to_a_shopper(api_client, shopper_token):
    response = api_client.get(AUDIT_URL, **bearer(shopper_token))

    assert_problem(response, status=403, code="forbidden")


def test_the_audit_counts_a_ledger_balance_that_no_transfer_explains(
    api_client, operator_token
):
    # Written straight into the table, as a bug bypassing the ledger services would.
    LedgerAccount.objects.create(
        kind=LedgerAccountKind.MERCHANT, owner_reference="merchant:1", balance_won=500
    )

    ledger = api_client.get(AUDIT_URL, **bearer(operator_token)).json()["ledger"]

    assert (ledger["sum_of_balances"], ledger["balance_mismatches"]) == (500, 1)
    assert ledger["accounts"] == 1
