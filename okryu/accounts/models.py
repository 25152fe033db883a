"""People who use Okryu, their roles, and the places they live."""

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class Role(models.TextChoices):
    """What a person may do; one person may hold several roles."""

    SHOPPER = "shopper", _("구매자")
    MERCHANT = "merchant", _("판매자")
    COURIER = "courier", _("배달원")
    TELLER = "teller", _("은행원")
    SUPERVISOR = "supervisor", _("은행 감독원")
    OPERATOR = "operator", _("운영자")


# People whose mistakes or misdeeds move other people's money or see everyone's data: they get
# the staff controls (short sessions, short tokens, a second factor in production).
STAFF_ROLES = frozenset({Role.TELLER, Role.SUPERVISOR, Role.OPERATOR})


class User(AbstractUser):
    """A person with a login: shopper, merchant staff, courier, teller or operator."""

    display_name = models.CharField(_("이름"), max_length=100)
    phone = models.CharField(_("전화번호"), max_length=20, blank=True)
    preferred_language = models.CharField(max_length=5, default="ko")
    # Set when the person signs out everywhere (a staff member's logout): every session and
    # API token made before it dies, as after a password change.
    credentials_revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("username"), name="user_username_case_unique"
            ),
        ]

    @override
    def __str__(self) -> str:
        return self.display_name or self.username

    @override
    def get_session_auth_hash(self) -> str:
        """Django's HMAC of the password, also over ``credentials_revoked_at`` once set.

        Sessions and API tokens keep this hash from when they were made; a new password or a
        sign-out everywhere changes it, and every older one stops working.
        """
        if self.credentials_revoked_at is None:
            return super().get_session_auth_hash()
        return self._credentials_hash(secret=None)

    @override
    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        """The same hash under each of ``SECRET_KEY_FALLBACKS``, while keys rotate."""
        if self.credentials_revoked_at is None:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._credentials_hash(secret=secret)

    def _credentials_hash(self, *, secret: str | bytes | None) -> str:
        assert self.credentials_revoked_at is not None
        return salted_hmac(
            "okryu.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.credentials_revoked_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class RoleGrant(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="role_grant_role_known"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class District(models.Model):
    """A district (구역) of Pyongyang or a city elsewhere, with its centre's coordinates."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("이름"), max_length=60)
    name_en = models.CharField(max_length=60)
    city = models.CharField(_("도시"), max_length=40)
    city_en = models.CharField(max_length=40)
    latitude = models.FloatField()
    longitude = models.FloatField()
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="district_coordinates_valid",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.city} {self.name}"


class Address(models.Model):
    """A delivery address of a shopper: a district and free text (building, flat)."""

    DETAIL_LENGTH_MAX = 200

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("이름표"), max_length=40, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(_("상세 주소"), max_length=DETAIL_LENGTH_MAX)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="address_one_default_per_user",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.district} {self.detail}"


class PhoneVerification(models.Model):
    """One SMS code sent to prove a person holds a phone; verified once answered right.

    The code is never stored: a salt and a keyed MAC name it
    (``okryu.notifications.secret_codes``). A person's phone is verified while a verified
    row names the number their account has now, so changing the number needs a new code.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="phone_verifications"
    )
    phone = models.CharField(max_length=20)
    code_salt = models.CharField(max_length=32)
    code_key_version = models.PositiveIntegerField()
    code_mac = models.CharField(max_length=64)
    wrong_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "phone", "verified_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="phone_verification_expires_after_sent",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"phone verification {self.pk} of {self.user_id}"
