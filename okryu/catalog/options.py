"""A dish's options (곱빼기, 사리 추가): which the shopper may choose, and what they cost.

Options belong to made-to-order products only. ``load_option_menus`` reads the options of
several products with one query; ``choose_options`` checks a choice against a menu with no
database at all and returns what the basket and the order line keep: the options' ids as a
key, their names as text in Korean and English, and the change of the unit price in won.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

from okryu.catalog.models import Option, OptionChoice
from okryu.core.errors import InvalidInput

OPTIONS_KEY_LENGTH_MAX = 100


@dataclass(frozen=True)
class MenuOption:
    """One option as the checkout needs it."""

    option_id: int
    group_id: int
    name: str
    name_en: str
    price_change_won: int


@dataclass(frozen=True)
class MenuGroup:
    """One option group: its name, how many to choose, and its options in display order."""

    group_id: int
    name: str
    name_en: str
    choice: str
    options: tuple[MenuOption, ...]


@dataclass(frozen=True)
class OptionMenu:
    """A product's option groups in display order (empty: the product has no options)."""

    product_id: int
    groups: tuple[MenuGroup, ...]


@dataclass(frozen=True)
class ChosenOptions:
    """A valid choice of options for one line.

    ``key`` is the ids ascending, comma-joined ("" for none); ``text``/``text_en`` the names
    in display order ("곱빼기, 계란 추가"); ``price_change_won`` their sum.
    """

    option_ids: tuple[int, ...]
    key: str
    text: str
    text_en: str
    price_change_won: int


NO_OPTIONS = ChosenOptions(
    option_ids=(), key="", text="", text_en="", price_change_won=0
)


def options_key(option_ids: Iterable[int]) -> str:
    """Return the key of a set of option ids: ascending, comma-joined."""
    return ",".join(str(option_id) for option_id in sorted(set(option_ids)))


def option_ids_of_key(key: str) -> tuple[int, ...]:
    """Return the option ids of a key made by ``options_key`` (a bad key gives none)."""
    parts = [part for part in key.split(",") if part]
    if not all(part.isdigit() for part in parts):
        return ()
    return tuple(int(part) for part in parts)


def load_option_menus(product_ids: Iterable[int]) -> dict[int, OptionMenu]:
    """Return the option menu of each of ``product_ids`` (one query; empty when none)."""
    wanted = sorted(set(product_ids))
    groups: dict[int, dict[int, MenuGroup]] = {pk: {} for pk in wanted}
    if not wanted:
        return {}
    options = (
        Option.objects.filter(group__product_id__in=wanted)
        .select_related("group")
        .order_by(
            "group__product_id", "group__sort_order", "group_id", "sort_order", "id"
        )
    )
    for option in options:
        group = option.group
        product_groups = groups[group.product_id]
        current = product_groups.get(group.pk) or MenuGroup(
            group_id=group.pk,
            name=group.name,
            name_en=group.name_en,
            choice=group.choice,
            options=(),
        )
        product_groups[group.pk] = MenuGroup(
            group_id=current.group_id,
            name=current.name,
            name_en=current.name_en,
            choice=current.choice,
            options=(
                *current.options,
                MenuOption(
                    option_id=option.pk,
                    group_id=group.pk,
                    name=option.name,
                    name_en=option.name_en,
                    price_change_won=option.price_change_won,
                ),
            ),
        )
    return {
        pk: OptionMenu(product_id=pk, groups=tuple(groups[pk].values()))
        for pk in wanted
    }


def choose_options(menu: OptionMenu, option_ids: Sequence[int]) -> ChosenOptions:
    """Check ``option_ids`` against ``menu`` and return the choice, priced and named.

    Refuses with InvalidInput (field ``options``): an id that is not an option of this
    product, an id twice, more than ``OKRYU_LINE_OPTIONS_MAX`` ids, no option (or more than
    one) in a group where exactly one must be chosen.
    """
    if len(option_ids) > settings.OKRYU_LINE_OPTIONS_MAX:
        raise InvalidInput(
            f"선택은 {settings.OKRYU_LINE_OPTIONS_MAX}개까지 고를 수 있습니다.",
            field="options",
        )
    if any(type(option_id) is not int for option_id in option_ids):
        raise InvalidInput("선택 번호가 올바르지 않습니다.", field="options")
    if len(set(option_ids)) != len(option_ids):
        raise InvalidInput("같은 선택이 두 번 있습니다.", field="options")
    wanted = set(option_ids)
    known = {option.option_id for group in menu.groups for option in group.options}
    if wanted - known:
        raise InvalidInput("이 상품에서 고를 수 없는 선택입니다.", field="options")
    chosen: list[MenuOption] = []
    for group in menu.groups:
        picked = [option for option in group.options if option.option_id in wanted]
        if group.choice == OptionChoice.ONE and len(picked) != 1:
            raise InvalidInput(f"{group.name}에서 하나를 고르십시오.", field="options")
        chosen += picked
    assert len(chosen) == len(wanted)
    key = options_key(wanted)
    assert len(key) <= OPTIONS_KEY_LENGTH_MAX
    return ChosenOptions(
        option_ids=tuple(sorted(wanted)),
        key=key,
        text=", ".join(option.name for option in chosen),
        text_en=", ".join(option.name_en for option in chosen),
        price_change_won=sum(option.price_change_won for option in chosen),
    )
