"""Schemathesis over every API operation, in process: no answer is a server error.

The OpenAPI schema is read from the app itself (``/api/v1/openapi.json``) and every operation
is called through Django's WSGI handler with requests that fit the schema and requests that
do not (schemathesis' positive and negative modes), by every role of ``tests/security/world``
(anonymous, two shoppers, two merchants' staff, a courier, a teller, a supervisor and an
operator), with path parameters sometimes generated and sometimes the ids of the world's real
orders, fulfilments, jobs, cards and QR requests, so the calls reach the routes' deep paths.

Every answer must be below 500 and have a status the operation documents, and a documented
success must have the documented body. ``FUZZ_EXAMPLES`` sets the examples per operation and
mode (CI's default is small; ``make fuzz`` asks for many). Each call runs in a savepoint that is
rolled back, so the world stays as built and a failure replays alone; the rate limits are
raised so that the deep paths are reached (their own tests are in ``test_rate_limits``).
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.world import ANONYMOUS, ROLES, World, build_world

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def requests_keep_the_test_connection() -> Iterator[None]:
    """Let WSGI requests run inside the test's transaction, as Django's test client does.

    Django closes the database connection at each request's start and end when it is not in
    autocommit, which inside a test's transaction would throw the test's data away.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def generous_rate_limits(settings: Any) -> None:
    """A thousand times the limits: the fuzz run must reach what is behind them."""
    settings.OKRYU_RATE_LIMITS = {
        name: (count * 1000, window)
        for name, (count, window) in settings.OKRYU_RATE_LIMITS.items()
    }


def real_ids(world: World) -> dict[str, object]:
    """The ids of the world's objects, by the name of the path parameter."""
    return {
        "order_id": world.pending_order_id,
        "fulfilment_id": world.pending_fulfilment.pk,
        "product_id": world.dish.pk,
        "group_id": world.option_group.pk,
        "option_id": world.option.pk,
        "merchant_id": world.merchant.pk,
        "job_id": world.job.pk,
        "number": world.shopper_card.number,
        "token": world.qr.token,
        "top_up_id": world.top_up_id,
    }


@dataclass
class Findings:
    """What the run saw: calls made, server errors and answers the schema does not allow."""

    calls: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)

    def report(self) -> str:
        summary = (
            f"{self.calls} calls, {len(self.server_errors)} server errors, "
            f"{len(self.nonconforming)} answers the schema does not allow"
        )
        lines = [
            summary,
            *self.server_errors[:40],
            *self.nonconforming[:40],
        ]
        return "\n".join(lines)


def _call_isolated(send: Callable[[], Any]) -> Any:
    block = transaction.atomic()
    # Marked as Django's TestCase marks its own blocks, so durable blocks inside still run.
    block._from_testcase = True  # type: ignore[attr-defined]
    with block:
        response = send()
        transaction.set_rollback(True)
    return response


def _describe(case: Any, role: str, response: Any) -> str:
    body = case.body if not isinstance(case.body, bytes) else case.body[:200]
    return (
        f"{case.method} {case.formatted_path} as {role}: {response.status_code} "
        f"query={case.query!r} body={str(body)[:300]}"
    )


@pytest.mark.usefixtures("requests_keep_the_test_connection", "generous_rate_limits")
def test_no_api_operation_answers_a_server_error_or_an_undocumented_status() -> None:
    world = build_world()
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application()
    )
    ids = real_ids(world)
    findings = Findings()
    operations = []
    for result in schema.get_all_operations():
        # An operation schemathesis cannot read is a broken schema: fail on it.
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        names = [p.name for p in operation.path_parameters]
        known = {name: ids[name] for name in names if name in ids}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(generation_mode=mode)]
            if known and mode is GenerationMode.POSITIVE:
                strategies.append(
                    operation.as_strategy(generation_mode=mode, path_parameters=known)
                )
            try:
                _fuzz(operation, label, st.one_of(strategies), world, findings)
            except Unsatisfiable:
                # Nothing to get wrong: no parameters and no body (GET /categories, say).
                assert mode is GenerationMode.NEGATIVE, label

    print(findings.report())  # noqa: T201 - the figures of docs/security.md.
    assert not findings.server_errors, findings.report()
    assert not findings.nonconforming, findings.report()
    assert set(findings.by_operation) == {
        f"{op.method.upper()} {op.path}" for op in operations
    }


def _fuzz(
    operation: Any, label: str, cases: Any, world: World, findings: Findings
) -> None:
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, role=st.sampled_from(ROLES))
    def call(case: Any, role: str) -> None:
        # Uncompressed: the WSGI client does not undo the app's gzip.
        headers = {"Accept-Encoding": "identity"}
        if role != ANONYMOUS:
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
        if operation.method.upper() == "POST":
            headers.setdefault("Idempotency-Key", f"fuzz-{findings.calls}")
        response = _call_isolated(lambda: case.call(headers=headers))
        findings.calls += 1
        findings.by_operation[label] = findings.by_operation.get(label, 0) + 1
        if response.status_code >= 500:
            findings.server_errors.append(_describe(case, role, response))
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failures:
            reasons = "; ".join(
                f"{f.title}: {f.message[:300]}" for f in failures.exceptions
            )
            findings.nonconforming.append(
                f"{_describe(case, role, response)} — {reasons}"
            )
        except AssertionError as failure:
            findings.nonconforming.append(
                f"{_describe(case, role, response)} — {failure}"
            )

    call()
