from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "okryu.cart"
    label = "cart"
    verbose_name = "Cart"
