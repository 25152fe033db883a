from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "okryu.orders"
    label = "orders"
    verbose_name = "Orders"
