"""factory_boy factories for the accounts app's models."""

import factory

from okryu.accounts.models import Address, District, Role, RoleGrant, User


class DistrictFactory(factory.django.DjangoModelFactory[District]):
    """A district with valid coordinates (the centre of Pyongyang)."""

    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda number: f"district-{number}")
    name = factory.Sequence(lambda number: f"구역{number}")
    name_en = factory.Sequence(lambda number: f"District {number}")
    city = "평양"
    city_en = "Pyongyang"
    latitude = 39.0392
    longitude = 125.7625


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A person with a login and the password ``okryu-test-password``; no role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"person{number}")
    display_name = factory.Sequence(lambda number: f"사람{number}")
    phone = "01012345678"
    password = factory.PostGenerationMethodCall("set_password", "okryu-test-password")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class ShopperFactory(UserFactory):
    """A person holding the shopper role."""

    @factory.post_generation
    def shopper_role(self, create, extracted, **kwargs):
        if create:
            RoleGrant.objects.create(user=self, role=Role.SHOPPER)


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    """A delivery address (not the default unless asked)."""

    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    district = factory.SubFactory(DistrictFactory)
    detail = factory.Sequence(lambda number: f"{number}동 {number}호")
    is_default = False
