from django.apps import AppConfig
from typing_extensions import override


class DemoConfig(AppConfig):
    name = "okryu.demo"
    label = "demo"
    verbose_name = "Demo data"

    @override
    def ready(self) -> None:
        from okryu.demo import checks  # noqa: F401, PLC0415  (registers the system checks)
