from django.apps import AppConfig
from typing_extensions import override


class NotificationsConfig(AppConfig):
    name = "okryu.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    @override
    def ready(self) -> None:
        from okryu.notifications import checks  # noqa: F401, PLC0415  (registers the checks)
