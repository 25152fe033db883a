"""Verifying the caller's phone by an SMS code: paying at the door needs it (ADR 5)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from okryu.accounts.phone_verification import (
    confirm_phone_code,
    is_phone_verified,
    send_phone_code,
)
from okryu.api.v1.auth import bearer_auth, get_caller
from okryu.api.v1.idempotency import json_response
from okryu.api.v1.schemas.problems import Problem
from okryu.api.v1.schemas.text import Text
from okryu.core import rate_limits

router = Router(tags=["accounts"])


class PhoneOut(Schema):
    """The caller's phone and whether a code verified it."""

    phone: str
    verified: bool


class CodeSentOut(Schema):
    """A code is on its way by SMS."""

    phone: str
    expires_at: str


class CodeIn(Schema):
    """The six digits the SMS brought."""

    model_config = ConfigDict(extra="forbid")

    code: Text = Field(max_length=20, description="Six ASCII digits.")


def _phone_body(request: HttpRequest) -> dict[str, Any]:
    user = get_caller(request)
    return {"phone": user.phone, "verified": is_phone_verified(user.pk)}


@router.get(
    "/me/phone",
    auth=bearer_auth,
    response={200: PhoneOut, 401: Problem},
    summary="The caller's phone and whether it is verified",
)
def get_phone_route(request: HttpRequest) -> HttpResponse:
    """Answer the phone and its state."""
    return json_response(200, _phone_body(request))


@router.post(
    "/me/phone/code",
    auth=bearer_auth,
    response={202: CodeSentOut, 401: Problem, 422: Problem, 429: Problem},
    summary="Send a verification code to the caller's phone by SMS",
    description="Six digits, good for `OKRYU_PHONE_CODE_MINUTES` (10) and 5 tries; a new "
    "code replaces the earlier one. 5 codes an hour per account and per number (429 "
    "`rate_limited`); 422 `invalid` (`phone`) without a phone.",
)
def send_code_route(request: HttpRequest) -> HttpResponse:
    """Count the limits, then queue the code's SMS."""
    user = get_caller(request)
    rate_limits.hit("phone_code_account", user.pk)
    if user.phone:
        rate_limits.hit("phone_code_phone", user.phone)
    verification = send_phone_code(user_id=user.pk)
    return json_response(
        202,
        {
            "phone": verification.phone,
            "expires_at": verification.expires_at.isoformat(),
        },
    )


@router.post(
    "/me/phone/verify",
    auth=bearer_auth,
    response={200: PhoneOut, 401: Problem, 409: Problem, 422: Problem},
    summary="Verify the caller's phone with the code the SMS brought",
    description="422 `invalid` (not six digits; not counted), 422 `wrong_code` (with "
    "`attempts_left`; counted), 409 `phone_code_locked` (5 wrong: ask for a new code), 409 "
    "`phone_code_expired`, 409 `phone_code_not_sent`.",
)
def verify_code_route(request: HttpRequest, payload: CodeIn) -> HttpResponse:
    """Check the code."""
    user = get_caller(request)
    confirm_phone_code(user_id=user.pk, code=payload.code)
    return json_response(200, _phone_body(request))
