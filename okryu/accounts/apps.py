from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "okryu.accounts"
    label = "accounts"
    verbose_name = "Accounts"
