from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "okryu.web"
    label = "web"
    verbose_name = "Web pages"
