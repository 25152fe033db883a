"""Who may open the merchant and logistics pages.

The role says what a person is; the membership says whose shop they keep. Both are needed for
the merchant pages, and the queries filter by membership again, so a staff member of one
merchant finds another merchant's fulfilments and products missing (404), not forbidden.
"""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext, gettext_lazy
from typing_extensions import override

from okryu.accounts.models import Role, User
from okryu.accounts.queries import has_role
from okryu.merchants.queries import list_merchant_ids_for_staff


class MerchantStaffRequiredMixin(LoginRequiredMixin):
    """Let in only merchant staff with at least one membership; 403 for everyone else.

    A page for one kind of merchant (the kitchen, for restaurants) sets ``merchant_kind``:
    only memberships of that kind count, and ``merchant_ids`` holds only those.
    """

    merchant_ids: list[int]
    merchant_kind: str | None = None
    refusal = gettext_lazy("판매자 직원만 볼 수 있는 쪽입니다.")

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        assert isinstance(request.user, User)
        merchant_ids = list(
            list_merchant_ids_for_staff(user=request.user, kind=self.merchant_kind)
        )
        if not (merchant_ids and has_role(request.user, Role.MERCHANT)):
            raise PermissionDenied(str(self.refusal))
        self.merchant_ids = merchant_ids
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response


class OperatorRequiredMixin(LoginRequiredMixin):
    """Let in only operators (the logistics office); 403 for everyone else."""

    @override
    def dispatch(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, Role.OPERATOR):
            raise PermissionDenied(gettext("운영자만 볼 수 있는 쪽입니다."))
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response
