from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "okryu.merchants"
    label = "merchants"
    verbose_name = "Merchants"
