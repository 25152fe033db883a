"""Merchants, when they are open, and who works for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from okryu.accounts.models import District, User


class MerchantKind(models.TextChoices):
    """What sort of business a merchant is."""

    STORE = "store", _("상점")
    FACTORY = "factory", _("공장")
    RESTAURANT = "restaurant", _("식당")
    PHARMACY = "pharmacy", _("약국")


class Merchant(models.Model):
    """A business that sells on Okryu."""

    PREPARATION_MINUTES_MAX = 24 * 60

    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(_("종류"), max_length=20, choices=MerchantKind.choices)
    name = models.CharField(_("이름"), max_length=100)
    name_en = models.CharField(max_length=100)
    description = models.TextField(_("소개"), blank=True)
    description_en = models.TextField(blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("주소"), max_length=200)
    phone = models.CharField(_("전화번호"), max_length=20, blank=True)
    preparation_minutes = models.PositiveSmallIntegerField(
        _("준비 시간(분)"), default=0
    )
    is_active = models.BooleanField(default=True)
    # Where the merchant's takings are credited; opened by merchants.services.
    ledger_account = models.OneToOneField(
        "payments.LedgerAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MerchantKind.values),
                name="merchant_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(preparation_minutes__lte=24 * 60),
                name="merchant_preparation_minutes_within_a_day",
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening period of a merchant on one weekday (0 is Monday).

    A period that closes at or before it opens runs past midnight into the next day.
    """

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField()
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="opening_hours_weekday_valid",
            ),
            models.UniqueConstraint(
                fields=["merchant", "weekday", "opens_at"], name="opening_hours_unique"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.merchant_id} {self.weekday} {self.opens_at}-{self.closes_at}"


class StaffRole(models.TextChoices):
    """What a staff member may do for their merchant."""

    OWNER = "owner", _("책임자")
    STAFF = "staff", _("직원")


class MerchantStaff(models.Model):
    """Membership of a user in a merchant's staff."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="staff"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="merchant_memberships"
    )
    role = models.CharField(
        max_length=10, choices=StaffRole.choices, default=StaffRole.STAFF
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "user"], name="merchant_staff_unique"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.user_id}@{self.merchant_id}"
