"""Couriers, delivery jobs (one per fulfilment) and the append-only log of each job.

The database refuses what the services must never do: a courier over capacity (a check on
``load_grams``), a job assigned twice or to nobody (checks tying status, courier and route
position together), two jobs at one place of a courier's route (a partial unique constraint),
and a second job for one fulfilment (one-to-one).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from okryu.accounts.models import District
from okryu.delivery.rules import SIZE_CLASSES, Vehicle
from okryu.merchants.models import Merchant
from okryu.notifications.secret_codes import SALT_HEX_LENGTH, SecretCode
from okryu.orders.models import Fulfilment

CONFIRMATION_CODE_LENGTH = 4
DELIVERY_CODE_PURPOSE = "delivery"


class VehicleChoices(models.TextChoices):
    """What a courier drives (``okryu.delivery.rules.Vehicle``)."""

    MOTORBIKE = Vehicle.MOTORBIKE.value, _("오토바이")
    VAN = Vehicle.VAN.value, _("화물차")


class Courier(models.Model):
    """A person who carries jobs: their vehicle, its capacity, where they are, on duty or not.

    ``load_grams`` is the weight of the jobs assigned to them and not yet handed over; it
    moves only by conditional updates in the same transaction as the jobs, and the database
    refuses a load above the capacity.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courier"
    )
    vehicle = models.CharField(
        _("운송 수단"), max_length=10, choices=VehicleChoices.choices
    )
    capacity_grams = models.PositiveIntegerField(_("적재량(g)"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("구역")
    )
    is_on_duty = models.BooleanField(_("근무 중"), default=False)
    load_grams = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["is_on_duty", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(vehicle__in=VehicleChoices.values),
                name="courier_vehicle_known",
            ),
            models.CheckConstraint(
                condition=Q(capacity_grams__gt=0), name="courier_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(load_grams__gte=0) & Q(load_grams__lte=F("capacity_grams")),
                name="courier_load_within_capacity",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.user} ({self.vehicle})"


class JobStatus(models.TextChoices):
    """Where a delivery job stands.

    Waiting for a courier; assigned to one (the goods still at the merchant); picked up (out
    for delivery); delivered (handed over against the confirmation code); cancelled (its
    fulfilment was cancelled before pick-up). A failed hand-over sends it back to waiting.
    """

    WAITING = "waiting", _("배정 대기")
    ASSIGNED = "assigned", _("배정됨")
    PICKED_UP = "picked_up", _("배달 중")
    DELIVERED = "delivered", _("배달 완료")
    CANCELLED = "cancelled", _("취소")


# A job of these statuses is on a courier's route and counts in their load.
ACTIVE_JOB_STATUSES = (JobStatus.ASSIGNED, JobStatus.PICKED_UP)


class DeliveryJob(models.Model):
    """Carrying one fulfilment from its merchant to the shopper's door.

    The pick-up and drop-off, distance, weight and size are copied from the fulfilment when
    it becomes ready, so dispatch reads one table. The confirmation code is four digits the
    shopper tells the courier at the door; wrong codes are counted and lock the job.
    """

    ADDRESS_DETAIL_LENGTH_MAX = 200

    fulfilment = models.OneToOneField(
        Fulfilment, on_delete=models.PROTECT, related_name="delivery_job"
    )
    pickup_merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="+"
    )
    pickup_district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+"
    )
    dropoff_district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+"
    )
    dropoff_detail = models.CharField(max_length=ADDRESS_DETAIL_LENGTH_MAX)
    distance_meters = models.IntegerField()
    weight_grams = models.BigIntegerField()
    size_class = models.CharField(max_length=10)
    vehicle_needed = models.CharField(max_length=10, choices=VehicleChoices.choices)
    # The start of the shopper's slot, or when the job opened (as soon as possible).
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=JobStatus.choices, default=JobStatus.WAITING
    )
    courier = models.ForeignKey(
        Courier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
    )
    # 1, 2, … along the courier's route while assigned or picked up.
    route_position = models.PositiveSmallIntegerField(null=True, blank=True)
    estimated_handover_at = models.DateTimeField(null=True, blank=True)
    # The confirmation code is never stored: its salt and key version name it, and its keyed
    # MAC checks an answer (``okryu.notifications.secret_codes``; ADR 13).
    code_salt = models.CharField(max_length=SALT_HEX_LENGTH)
    code_key_version = models.PositiveIntegerField()
    code_mac = models.CharField(max_length=64)
    wrong_code_count = models.PositiveSmallIntegerField(default=0)
    is_locked = models.BooleanField(default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    # Trips: one more at every pick-up; a failed hand-over makes another trip necessary.
    attempts_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at", "id"]),
            models.Index(fields=["courier", "status", "route_position"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_known"
            ),
            models.CheckConstraint(
                condition=Q(vehicle_needed__in=VehicleChoices.values),
                name="job_vehicle_known",
            ),
            models.CheckConstraint(
                condition=Q(size_class__in=SIZE_CLASSES), name="job_size_class_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    distance_meters__gte=0,
                    weight_grams__gte=0,
                    wrong_code_count__gte=0,
                    attempts_count__gte=0,
                ),
                name="job_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    Exact(Length("code_salt"), SALT_HEX_LENGTH),
                    Exact(Length("code_mac"), 64),
                ),
                name="job_code_salt_and_mac_length",
            ),
            # Waiting: nobody's. Assigned or picked up: one courier's, at a route place.
            models.CheckConstraint(
                condition=Q(
                    status=JobStatus.WAITING,
                    courier__isnull=True,
                    route_position__isnull=True,
                )
                | Q(
                    status__in=ACTIVE_JOB_STATUSES,
                    courier__isnull=False,
                    route_position__isnull=False,
                )
                | Q(status=JobStatus.DELIVERED, courier__isnull=False)
                | Q(status=JobStatus.CANCELLED),
                name="job_courier_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status=JobStatus.DELIVERED, delivered_at__isnull=False)
                | (~Q(status=JobStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                name="job_delivered_at_iff_delivered",
            ),
            models.CheckConstraint(
                condition=Q(is_locked=False) | Q(locked_at__isnull=False),
                name="job_lock_has_time",
            ),
            models.UniqueConstraint(
                fields=["courier", "route_position"],
                condition=Q(status__in=ACTIVE_JOB_STATUSES),
                name="job_one_per_route_position",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"job {self.pk} ({self.status})"

    @property
    def secret_code(self) -> SecretCode:
        """Return the reference of the job's confirmation code."""
        return SecretCode(
            DELIVERY_CODE_PURPOSE,
            self.code_key_version,
            CONFIRMATION_CODE_LENGTH,
            self.code_salt,
        )

    @property
    def confirmation_code(self) -> str:
        """Return the code, derived under the issuer's key: for the shopper and the SMS only."""
        return self.secret_code.reveal()

    def is_confirmed_by(self, code: str) -> bool:
        """Return whether ``code`` is the job's code (MACs compared in constant time)."""
        return self.secret_code.is_answered_by(code, stored_mac=self.code_mac)


class JobEventKind(models.TextChoices):
    """What happened to a job."""

    OPENED = "opened", _("접수")
    ASSIGNED = "assigned", _("배정")
    UNASSIGNED = "unassigned", _("배정 취소")
    PICKED_UP = "picked_up", _("인수")
    WRONG_CODE = "wrong_code", _("확인 번호 틀림")
    LOCKED = "locked", _("잠김")
    UNLOCKED = "unlocked", _("잠금 해제")
    DELIVERED = "delivered", _("배달 완료")
    FAILED = "failed", _("배달 실패")
    CANCELLED = "cancelled", _("취소")


class DeliveryJobEvent(models.Model):
    """One thing that happened to a job: what, when, by whom, for which courier. Append-only."""

    NOTE_LENGTH_MAX = 200

    job = models.ForeignKey(
        DeliveryJob, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=JobEventKind.choices)
    # Null for the system (automatic dispatch, the sweep).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    courier = models.ForeignKey(
        Courier, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=NOTE_LENGTH_MAX, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=JobEventKind.values), name="job_event_kind_known"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.job_id}: {self.kind}"
