from django.apps import AppConfig
from typing_extensions import override


class PaymentsConfig(AppConfig):
    name = "okryu.payments"
    label = "payments"
    verbose_name = "Payments"

    @override
    def ready(self) -> None:
        from okryu.payments import checks  # noqa: F401, PLC0415  (registers the system checks)
