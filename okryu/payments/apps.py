from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "okryu.payments"
    label = "payments"
    verbose_name = "Payments"
