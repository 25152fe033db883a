from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "okryu.demo"
    label = "demo"
    verbose_name = "Demo data"
