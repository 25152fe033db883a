"""The parcel and delivery rules' limits, read from settings (the rules never read settings)."""

from typing import Any

from django.conf import settings

from okryu.parcels.rules import DeliveryThresholds


def delivery_thresholds() -> DeliveryThresholds:
    """Return the thresholds of ``settings.OKRYU_DELIVERY_THRESHOLDS`` over the defaults.

    Built on each call (a frozen dataclass, microseconds), so a test's settings override
    applies at once. A misspelt field fails loudly (TypeError), not silently ignored.
    """
    overrides: dict[str, Any] = dict(settings.OKRYU_DELIVERY_THRESHOLDS)
    if "size_fees_won" in overrides:
        overrides["size_fees_won"] = tuple(overrides["size_fees_won"])
    return DeliveryThresholds(**overrides)
