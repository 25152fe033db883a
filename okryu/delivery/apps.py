from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "okryu.delivery"
    label = "delivery"
    verbose_name = "Delivery"
