"""Who may open the courier pages: a person with the courier role and a courier row."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext
from typing_extensions import override

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.delivery.models import Courier
from okryu.delivery.queries import find_courier_for_user


class CourierRequiredMixin(LoginRequiredMixin):
    """Let in only registered couriers (``self.courier``); 403 for everyone else.

    The delivery queries and services check the courier again and filter by them, so
    another courier's job is missing (404), not forbidden.
    """

    courier: Courier

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        assert isinstance(request.user, User)
        courier = (
            find_courier_for_user(user_id=request.user.pk)
            if has_role(request.user, Role.COURIER)
            else None
        )
        if courier is None:
            raise PermissionDenied(gettext("배달원만 볼 수 있는 쪽입니다."))
        self.courier = courier
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response
