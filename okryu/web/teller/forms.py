"""Forms of the bank counter pages: shape checks only; the card services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy

from okryu.web.cards.forms import OnceForm, amount_field, pin_field
from okryu.web.confirmation import confirmation_field


class HolderSearchForm(forms.Form):
    """Find a holder by login, name or phone."""

    q = forms.CharField(label=gettext_lazy("이름, 아이디 또는 전화번호"), max_length=50)


class IssueCardForm(OnceForm):
    """Issue a card to the holder shown on the page."""

    phone = forms.CharField(label=gettext_lazy("전화번호"), max_length=20)
    pin = pin_field()
    reason = forms.CharField(
        label=gettext_lazy("발급 사유 (이미 카드가 있으면 필수)"),
        max_length=200,
        required=False,
    )


class TopUpForm(OnceForm):
    """Cash paid in at the counter."""

    amount = amount_field()


class BlockForm(OnceForm):
    """Block a card, saying why."""

    reason = forms.ChoiceField(
        label=gettext_lazy("사유"),
        choices=[
            ("lost", gettext_lazy("분실")),
            ("stolen", gettext_lazy("도난")),
            ("cloned", gettext_lazy("복제")),
        ],
    )
    confirm = confirmation_field()


class PinResetForm(OnceForm):
    """Set a new PIN; it unlocks a card locked by wrong PINs."""

    pin = pin_field(gettext_lazy("새 PIN"))


class CloseDrawerForm(OnceForm):
    """The cash counted in the drawer at closing, and why it differs from the ledger."""

    counted = forms.IntegerField(
        label=gettext_lazy("센 현금(원)"),
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        error_messages={
            "required": gettext_lazy("센 현금을 입력하십시오."),
            "invalid": gettext_lazy("금액은 원 단위의 정수입니다."),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("차이가 있으면 그 까닭"),
        max_length=300,
        required=False,
    )


class TopUpDecisionForm(OnceForm):
    """A supervisor's approval or rejection of one top-up, confirmed by a tick."""

    reason = forms.CharField(
        label=gettext_lazy("거절 사유"), max_length=200, required=False
    )
    confirm = confirmation_field()
