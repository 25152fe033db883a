"""What every delivery service shares: the dispatch lock, the job log, the automatic
dispatch, and who the acting person is. Each service declares its own transaction
(``okryu.core.transactions.service_transaction``).

Lock order, to keep concurrent services free of deadlocks on PostgreSQL: a service that may
put a waiting job on a courier (a dispatch round, an operator's assignment) first takes the
dispatch lock, so two of them never interleave; every service then changes the job row
before the courier row. The courier services (pick-up, hand-over, failed hand-over) touch
only jobs that are not waiting, which a dispatch round never touches, so they need no lock.
On SQLite the immediate transaction already lets one writer in at a time.
"""

from django.db import connection, transaction

from okryu.accounts.models import Role
from okryu.accounts.queries import holds_role
from okryu.core import clock
from okryu.core.errors import PermissionDenied
from okryu.core.jobs import enqueue_job
from okryu.core.models import BackgroundJob, BackgroundJobStatus
from okryu.delivery.models import Courier, DeliveryJobEvent, JobEventKind

DISPATCH_JOB_KIND = "delivery.dispatch"
# The key of the PostgreSQL advisory lock that serialises dispatch rounds ("okry").
DISPATCH_LOCK_KEY = 0x6F6B7279


def take_dispatch_lock() -> None:
    """Wait for the dispatch lock, held until the transaction ends (PostgreSQL only)."""
    assert transaction.get_connection().in_atomic_block
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DISPATCH_LOCK_KEY])


def record_event(
    *,
    job_id: int,
    kind: JobEventKind,
    actor_id: int | None,
    courier_id: int | None,
    note: str = "",
) -> None:
    """Append one event to the job's log, in the caller's transaction."""
    assert transaction.get_connection().in_atomic_block
    DeliveryJobEvent.objects.create(
        job_id=job_id,
        kind=kind,
        actor_id=actor_id,
        courier_id=courier_id,
        note=note[: DeliveryJobEvent.NOTE_LENGTH_MAX],
        created_at=clock.now(),
    )


def enqueue_dispatch() -> None:
    """Queue an automatic dispatch round, in the caller's transaction.

    A round that is queued and not yet claimed by a worker will see this change too, so no
    second one is queued; a round already running may have read the jobs before this change,
    so then a new one is queued.
    """
    assert transaction.get_connection().in_atomic_block
    already_queued = BackgroundJob.objects.filter(
        kind=DISPATCH_JOB_KIND,
        status=BackgroundJobStatus.PENDING,
        locked_until__isnull=True,
        run_at__lte=clock.now(),
    ).exists()
    if not already_queued:
        enqueue_job(kind=DISPATCH_JOB_KIND, payload={})


def require_operator(user_id: int) -> None:
    """Raise PermissionDenied unless the person is an operator (the logistics office)."""
    if not holds_role(user_id, Role.OPERATOR):
        raise PermissionDenied("운영자만 할 수 있습니다.")


def courier_of_user(user_id: int) -> Courier:
    """Return the courier row of a person holding the courier role; PermissionDenied else."""
    courier = (
        Courier.objects.select_related("district", "user")
        .filter(user_id=user_id, user__role_grants__role=Role.COURIER)
        .first()
    )
    if courier is None:
        raise PermissionDenied("배달원만 할 수 있습니다.")
    return courier
