from django.apps import AppConfig
from typing_extensions import override


class AccountsConfig(AppConfig):
    name = "okryu.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    @override
    def ready(self) -> None:
        from okryu.accounts.phone_verification import (  # noqa: PLC0415
            PHONE_CODE_KEY_VERSION,
            PHONE_CODE_PURPOSE,
            phone_code_key,
        )
        from okryu.notifications.secret_codes import register_code_key  # noqa: PLC0415

        register_code_key(
            PHONE_CODE_PURPOSE,
            key=phone_code_key,
            current_version=lambda: PHONE_CODE_KEY_VERSION,
        )
