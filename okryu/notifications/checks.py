"""System checks of the SMS gateway (okryu.E019, okryu.E020) and the demo's phone (okryu.E025)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from okryu.notifications.gateways import GATEWAYS, GATEWAYS_NOT_DELIVERING
from okryu.notifications.http_gateway import is_gateway_url_valid

HOW_TO_SET_HTTP = (
    "Set OKRYU_SMS_GATEWAY=http and OKRYU_SMS_GATEWAY_URL to the SMS service's https address "
    "(and OKRYU_SMS_GATEWAY_TOKEN or OKRYU_SMS_GATEWAY_TOKEN_FILE if it wants a token)."
)


@register()
def check_sms_gateway_is_known(**kwargs: Any) -> list[CheckMessage]:
    """Refuse a gateway name nobody knows, or the http gateway without an address."""
    name = settings.OKRYU_SMS_GATEWAY
    if name not in GATEWAYS:
        problem = (
            f"OKRYU_SMS_GATEWAY is {name!r}; the gateways are {', '.join(GATEWAYS)}."
        )
    elif name == "http" and not is_gateway_url_valid(settings.OKRYU_SMS_GATEWAY_URL):
        problem = (
            "OKRYU_SMS_GATEWAY is 'http' but OKRYU_SMS_GATEWAY_URL is no http(s) URL."
        )
    else:
        return []
    return [Error(problem, hint=HOW_TO_SET_HTTP, id="okryu.E020")]


@register()
def check_production_sms_reaches_phones(**kwargs: Any) -> list[CheckMessage]:
    """Refuse production with a gateway that sends nothing: codes would be lost or logged."""
    name = settings.OKRYU_SMS_GATEWAY
    if settings.OKRYU_IS_PRODUCTION and name in GATEWAYS_NOT_DELIVERING:
        return [
            Error(
                f"OKRYU_SMS_GATEWAY is {name!r} under the production settings: no SMS would "
                "reach a phone, and the log gateway writes delivery codes into the log.",
                hint=HOW_TO_SET_HTTP,
                id="okryu.E019",
            )
        ]
    return []


@register()
def check_production_has_no_demo_phone(**kwargs: Any) -> list[CheckMessage]:
    """Refuse production with the demo's phone page: it shows codes on a web page."""
    if settings.OKRYU_IS_PRODUCTION and settings.OKRYU_DEMO_PHONE:
        return [
            Error(
                "OKRYU_DEMO_PHONE is on under the production settings: the demo's phone "
                "page would show SMS codes on the web instead of on the phone.",
                hint="Leave OKRYU_DEMO_PHONE off (the production settings never set it).",
                id="okryu.E025",
            )
        ]
    return []
