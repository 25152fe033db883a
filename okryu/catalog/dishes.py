"""A restaurant's staff setting up a dish: its daily capacity, sold-out switch, preparation
time, and its options (양: 보통/곱빼기; 추가: 사리, 계란) with their price changes.

Every function takes the acting staff member and finds the dish through
``get_product_for_staff``: another merchant's dish, group or option is NotFound, so the
pages, the API and the admin cannot disagree on who may change what.
"""

from okryu.catalog import portions
from okryu.catalog.models import Option, OptionChoice, OptionGroup, Product
from okryu.catalog.products import get_product_for_staff
from okryu.core.errors import InvalidInput, NotFound
from okryu.core.transactions import service_transaction


def _check_whole(value: object, *, field: str, highest: int) -> int:
    # A bool is an int in Python, but never a count.
    if type(value) is not int or not 0 <= value <= highest:
        raise InvalidInput(f"0부터 {highest:,}까지의 정수입니다.", field=field)
    return value


def _check_text(value: object, *, field: str, length_max: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (required and not text) or len(text) > length_max:
        raise InvalidInput(f"1자에서 {length_max}자까지입니다.", field=field)
    return text


def _dish_for_staff(staff_user_id: int, product_id: int) -> Product:
    product = get_product_for_staff(staff_user_id=staff_user_id, product_id=product_id)
    if not product.is_made_to_order:
        raise InvalidInput(
            "주문 후 조리하는 음식에만 정할 수 있습니다.", field="is_made_to_order"
        )
    return product


@service_transaction(durable=False)
def set_dish_kitchen(
    *,
    staff_user_id: int,
    product_id: int,
    daily_capacity: int | None,
    is_sold_out: bool,
    preparation_minutes: int | None,
) -> Product:
    """Set a dish's daily capacity (None: sold from stock), sold-out switch and time.

    A capacity below the portions already ordered today is refused (InvalidInput on
    ``daily_capacity``, naming them) and nothing changes. ``preparation_minutes`` None
    means the restaurant's own time.
    """
    if daily_capacity is not None:
        _check_whole(
            daily_capacity, field="daily_capacity", highest=Product.DAILY_CAPACITY_MAX
        )
    if preparation_minutes is not None:
        _check_whole(
            preparation_minutes,
            field="preparation_minutes",
            highest=Product.PREPARATION_MINUTES_MAX,
        )
    assert type(is_sold_out) is bool
    day = portions.today()
    product = _dish_for_staff(staff_user_id, product_id)
    if not portions.set_daily_capacity(
        product_id=product.pk, daily_capacity=daily_capacity, day=day
    ):
        product.refresh_from_db(fields=["portions_taken"])
        raise InvalidInput(
            f"오늘 이미 {product.portions_taken}인분이 주문되었습니다. "
            "그보다 적게 정할 수 없습니다.",
            field="daily_capacity",
        )
    Product.objects.filter(pk=product.pk).update(
        is_sold_out=is_sold_out, preparation_minutes=preparation_minutes
    )
    product.refresh_from_db()
    assert product.daily_capacity == daily_capacity
    assert product.is_sold_out == is_sold_out
    return product


@service_transaction(durable=False)
def add_option_group(
    *, staff_user_id: int, product_id: int, name: str, name_en: str, choice: str
) -> OptionGroup:
    """Add an option group to a dish (``choice``: ``one`` or ``any``), shown last."""
    name = _check_text(
        name, field="name", length_max=OptionGroup.NAME_LENGTH_MAX, required=True
    )
    name_en = _check_text(
        name_en, field="name_en", length_max=OptionGroup.NAME_LENGTH_MAX, required=True
    )
    if choice not in OptionChoice.values:
        raise InvalidInput("고르는 방법이 올바르지 않습니다.", field="choice")
    product = _dish_for_staff(staff_user_id, product_id)
    count = product.option_groups.count()
    if count >= OptionGroup.GROUPS_PER_PRODUCT_MAX:
        raise InvalidInput(
            f"선택 묶음은 {OptionGroup.GROUPS_PER_PRODUCT_MAX}개까지입니다.",
            field="name",
        )
    group = OptionGroup.objects.create(
        product=product,
        name=name,
        name_en=name_en,
        choice=choice,
        sort_order=count,
    )
    assert group.product_id == product_id
    return group


def _group_for_staff(staff_user_id: int, group_id: int) -> OptionGroup:
    group = OptionGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound("선택 묶음을 찾을 수 없습니다.")
    # Raises NotFound for another merchant's dish: the group does not exist for them.
    get_product_for_staff(staff_user_id=staff_user_id, product_id=group.product_id)
    return group


def get_dish_id_of_option_group_for_staff(*, staff_user_id: int, group_id: int) -> int:
    """Return the id of the dish an option group of one's own merchant belongs to.

    NotFound for an unknown group or another merchant's: it does not exist for them.
    """
    return _group_for_staff(staff_user_id, group_id).product_id


def get_dish_id_of_option_for_staff(*, staff_user_id: int, option_id: int) -> int:
    """Return the id of the dish an option of one's own merchant belongs to (or NotFound)."""
    group_id = (
        Option.objects.filter(pk=option_id).values_list("group_id", flat=True).first()
    )
    if group_id is None:
        raise NotFound("선택을 찾을 수 없습니다.")
    return _group_for_staff(staff_user_id, group_id).product_id


@service_transaction(durable=False)
def add_option(
    *,
    staff_user_id: int,
    group_id: int,
    name: str,
    name_en: str,
    price_change_won: int,
) -> Option:
    """Add an option to a group of one's dish, with its price change in won (may be < 0)."""
    name = _check_text(
        name, field="name", length_max=Option.NAME_LENGTH_MAX, required=True
    )
    name_en = _check_text(
        name_en, field="name_en", length_max=Option.NAME_LENGTH_MAX, required=True
    )
    highest = Option.PRICE_CHANGE_WON_MAX
    if type(price_change_won) is not int or not -highest <= price_change_won <= highest:
        raise InvalidInput(
            f"-{highest:,}부터 {highest:,}까지의 정수입니다.", field="price_change_won"
        )
    group = _group_for_staff(staff_user_id, group_id)
    count = group.options.count()
    if count >= Option.OPTIONS_PER_GROUP_MAX:
        raise InvalidInput(
            f"한 묶음의 선택은 {Option.OPTIONS_PER_GROUP_MAX}개까지입니다.",
            field="name",
        )
    option = Option.objects.create(
        group=group,
        name=name,
        name_en=name_en,
        price_change_won=price_change_won,
        sort_order=count,
    )
    assert option.group_id == group_id
    return option


@service_transaction(durable=False)
def remove_option_group(*, staff_user_id: int, group_id: int) -> None:
    """Remove a group and its options from one's dish; placed orders keep their text."""
    group = _group_for_staff(staff_user_id, group_id)
    group.delete()
    assert not OptionGroup.objects.filter(pk=group_id).exists()


@service_transaction(durable=False)
def remove_option(*, staff_user_id: int, option_id: int) -> None:
    """Remove one option of one's dish; placed orders keep their text."""
    option = Option.objects.filter(pk=option_id).first()
    if option is None:
        raise NotFound("선택을 찾을 수 없습니다.")
    _group_for_staff(staff_user_id, option.group_id)
    option.delete()
    assert not Option.objects.filter(pk=option_id).exists()
