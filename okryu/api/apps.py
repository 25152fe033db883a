from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "okryu.api"
    label = "api"
    verbose_name = "JSON API"
