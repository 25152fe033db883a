from django.apps import AppConfig
from typing_extensions import override


class CoreConfig(AppConfig):
    name = "okryu.core"
    label = "core"
    verbose_name = "Core"

    @override
    def ready(self) -> None:
        from okryu.core import checks  # noqa: F401, PLC0415  (registers the system checks)
