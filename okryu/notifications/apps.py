from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "okryu.notifications"
    label = "notifications"
    verbose_name = "Notifications"
