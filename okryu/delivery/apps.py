from django.apps import AppConfig
from typing_extensions import override


class DeliveryConfig(AppConfig):
    name = "okryu.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    @override
    def ready(self) -> None:
        from okryu.delivery.models import DELIVERY_CODE_PURPOSE  # noqa: PLC0415
        from okryu.notifications.secret_codes import register_code_key  # noqa: PLC0415
        from okryu.payments.issuer_keys import (  # noqa: PLC0415
            current_key_version,
            delivery_code_key,
        )

        register_code_key(
            DELIVERY_CODE_PURPOSE,
            key=delivery_code_key,
            current_version=current_key_version,
        )
