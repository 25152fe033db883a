"""The checkout form: address, slot, card, and the basket lines exactly as the page showed them.

The lines travel in hidden fields so that the order is what the shopper saw: a basket changed
in another tab meanwhile does not slip other goods into it, and a price changed since the page
was shown is refused by the service (``price_changed``). After a refusal the form shows what
was typed again, the card number too (the shopper's own, on their own page), except the PIN.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from typing_extensions import override

from okryu.accounts.models import Address
from okryu.web.accounts.forms import district_choices
from okryu.web.checkout.slots import ASAP, Slot, find_slot, list_slots

NEW_ADDRESS = "new"
CARD = "card"
DOOR = "door"
CARD_NUMBER_DIGITS = 16
LINE_PARTS = 4
# Ids, quantities and prices are far below a trillion; longer digits are tampering.
LINE_PART_DIGITS_MAX = 12


@dataclass(frozen=True)
class SeenLine:
    """A basket line as the checkout page showed it: which line, product, how many, at what."""

    line_id: int
    product_id: int
    quantity: int
    price_won: int
    # A dish's chosen options; the price above includes them.
    option_ids: tuple[int, ...] = ()

    @property
    def value(self) -> str:
        """The line as one hidden field's value (``:3.7`` added for options 3 and 7)."""
        value = f"{self.line_id}:{self.product_id}:{self.quantity}:{self.price_won}"
        if self.option_ids:
            value += ":" + ".".join(str(option_id) for option_id in self.option_ids)
        return value


def slot_label(slot: Slot) -> str:
    """Return how a slot reads in the select: "오늘 14:00" or "내일 09:00"."""
    time = slot.starts_at.strftime("%H:%M")
    if slot.is_tomorrow:
        return gettext("내일 %(time)s") % {"time": time}
    return gettext("오늘 %(time)s") % {"time": time}


class SeenLinesField(forms.Field):
    """The hidden lines of the page, each ``line:product:quantity:price`` in whole numbers.

    A dish's line adds ``:option.option…``, its chosen option ids.
    """

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": gettext_lazy("주문할 상품이 없습니다."),
        "invalid": gettext_lazy(
            "이 양식은 만료되었습니다. 장바구니에서 다시 주문하십시오."
        ),
    }

    @override
    def to_python(self, value: Any) -> tuple[SeenLine, ...]:
        values: Sequence[str] = value or ()
        if len(values) > settings.OKRYU_BASKET_LINES_MAX:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        lines: list[SeenLine] = []
        for raw in values:
            parts = str(raw).split(":")
            options = parts[LINE_PARTS:]
            parts = parts[:LINE_PARTS]
            option_parts = options[0].split(".") if options else []
            if (
                len(parts) != LINE_PARTS
                or len(options) > 1
                or len(option_parts) > settings.OKRYU_LINE_OPTIONS_MAX
                or not all(_is_id_part(part) for part in [*parts, *option_parts])
            ):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            line_id, product_id, quantity, price_won = (int(part) for part in parts)
            option_ids = tuple(int(part) for part in option_parts)
            lines.append(SeenLine(line_id, product_id, quantity, price_won, option_ids))
        return tuple(lines)


def _is_id_part(part: str) -> bool:
    return part.isascii() and part.isdigit() and len(part) <= LINE_PART_DIGITS_MAX


class CheckoutForm(forms.Form):
    """Where and when to deliver, the card to pay with, and the lines shown."""

    address = forms.ChoiceField(
        label=gettext_lazy("배달 주소"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("배달 주소를 고르십시오."),
            "invalid_choice": gettext_lazy("그런 주소는 없습니다."),
        },
    )
    district = forms.TypedChoiceField(
        label=gettext_lazy("구역"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("그런 구역은 없습니다.")},
    )
    detail = forms.CharField(
        label=gettext_lazy("상세 주소"),
        max_length=Address.DETAIL_LENGTH_MAX,
        required=False,
    )
    slot = forms.ChoiceField(
        label=gettext_lazy("배달 시간"),
        error_messages={"required": gettext_lazy("배달 시간을 고르십시오.")},
    )
    payment = forms.ChoiceField(
        label=gettext_lazy("결제 방법"),
        widget=forms.RadioSelect,
        choices=[
            (CARD, gettext_lazy("지금 카드로 결제 (배달 때 확정)")),
            (DOOR, gettext_lazy("문앞에서 카드로 결제")),
        ],
        initial=CARD,
        # A form from before the choice existed posts none: it paid by card.
        required=False,
        error_messages={"invalid_choice": gettext_lazy("그런 결제 방법은 없습니다.")},
    )
    # Required when paying by card now (``clean``); paying at the door needs neither.
    card_number = forms.CharField(
        label=gettext_lazy("카드 번호"),
        max_length=32,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": gettext_lazy("카드 번호를 입력하십시오.")},
    )
    pin = forms.CharField(
        label=gettext_lazy("PIN"),
        max_length=6,
        required=False,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"required": gettext_lazy("PIN을 입력하십시오.")},
    )
    line = SeenLinesField()
    idempotency_key = forms.CharField(
        max_length=255,
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy(
                "이 양식은 만료되었습니다. 장바구니에서 다시 주문하십시오."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        addresses: Sequence[Address],
        now: dt.datetime,
        is_open_at: Callable[[dt.datetime], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        """``is_open_at`` tells whether every kitchen of the basket is open at a moment:
        only slots (and "as soon as possible") when they all are, are offered."""
        super().__init__(*args, **kwargs)
        self.addresses = {address.pk: address for address in addresses}
        self.now = now
        self.fields["address"].choices = [  # type: ignore[attr-defined]
            *((str(address.pk), str(address)) for address in addresses),
            (NEW_ADDRESS, gettext_lazy("새 주소")),
        ]
        district_field = self.fields["district"]
        district_field.choices = [("", "—"), *district_choices()]  # type: ignore[attr-defined]
        self.is_open_at = is_open_at or (lambda _moment: True)
        self.slots_of_the_day = list_slots(now)
        self.slots = [s for s in self.slots_of_the_day if self.is_open_at(s.starts_at)]
        self.offers_asap = self.is_open_at(now)
        self.fields["slot"].choices = [  # type: ignore[attr-defined]
            *([(ASAP, gettext_lazy("가능한 빨리"))] if self.offers_asap else []),
            *((slot.value, slot_label(slot)) for slot in self.slots),
        ]

    def first_slot(self) -> str:
        """The slot chosen first: as soon as possible, else the first within the hours."""
        if self.offers_asap or not self.slots:
            return ASAP
        return self.slots[0].value

    @override
    def full_clean(self) -> None:
        # A slot offered when the page was shown may have passed since: say so plainly
        # instead of Django's "not one of the choices".
        super().full_clean()
        if self.is_bound and "slot" in self.errors and self.data.get("slot"):
            posted = self.data.get("slot")
            offered_but_closed = posted == ASAP or any(
                slot.value == posted for slot in self.slots_of_the_day
            )
            self.errors["slot"] = self.error_class(
                [
                    gettext(
                        "그 시간에는 문을 닫는 식당이 있습니다. "
                        "영업 시간 안의 배달 시간을 고르십시오."
                    )
                    if offered_but_closed
                    else gettext("고른 배달 시간이 지났습니다. 다른 시간을 고르십시오.")
                ]
            )

    def clean_payment(self) -> str:
        """Return ``card`` or ``door``; a form that chose nothing pays by card."""
        return str(self.cleaned_data.get("payment") or CARD)

    def clean_card_number(self) -> str:
        """Return the card number as 16 digits, spaces and hyphens removed."""
        raw: str = self.cleaned_data["card_number"]
        if not raw:
            return ""  # Required only when paying by card now: see ``clean``.
        digits = raw.replace(" ", "").replace("-", "")
        if not (digits.isascii() and digits.isdigit()) or len(digits) != (
            CARD_NUMBER_DIGITS
        ):
            raise ValidationError(
                gettext("카드 번호는 숫자 16자리입니다."), code="invalid"
            )
        return digits

    def clean_pin(self) -> str:
        """Return the PIN, 4 to 6 digits."""
        pin: str = self.cleaned_data["pin"]
        if not pin:
            return ""
        if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 6):  # noqa: PLR2004
            raise ValidationError(gettext("PIN은 숫자 4~6자리입니다."), code="invalid")
        return pin

    @override
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("payment") == CARD:
            for name in ("card_number", "pin"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        if cleaned.get("address") == NEW_ADDRESS:
            if cleaned.get("district") is None and "district" not in self.errors:
                self.add_error("district", gettext("구역을 고르십시오."))
            if not cleaned.get("detail"):
                self.add_error("detail", gettext("상세 주소를 입력하십시오."))
        return cleaned

    def chosen_slot(self) -> Slot | None:
        """Return the chosen slot, or None for as soon as possible (after validation)."""
        value: str = self.cleaned_data["slot"]
        return None if value == ASAP else find_slot(value, now=self.now)

    def chosen_place(self) -> tuple[int, str]:
        """Return the district id and address detail chosen (after validation)."""
        choice: str = self.cleaned_data["address"]
        if choice == NEW_ADDRESS:
            return self.cleaned_data["district"], self.cleaned_data["detail"]
        address = self.addresses[int(choice)]
        return address.district_id, address.detail
