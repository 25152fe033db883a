"""factory_boy factories for the merchants app's models."""

from factory.declarations import Sequence, SubFactory
from factory.django import DjangoModelFactory

from okryu.accounts.tests.factories import DistrictFactory
from okryu.merchants.models import Merchant, MerchantKind

# factory_boy's declarations are untyped.
# mypy: disallow-untyped-calls=False


class MerchantFactory(DjangoModelFactory[Merchant]):
    """An active store in a fresh district."""

    class Meta:
        model = Merchant

    slug = Sequence(lambda number: f"merchant-{number}")
    kind = MerchantKind.STORE
    name = Sequence(lambda number: f"상점{number}")
    name_en = Sequence(lambda number: f"Store {number}")
    district = SubFactory(DistrictFactory)
    address = "중구역 1동"
    is_active = True
