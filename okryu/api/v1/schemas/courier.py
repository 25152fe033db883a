"""Bodies of the courier's routes and of the logistics office's delivery routes."""

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool

from okryu.api.v1.schemas.text import Integer, Text

# Long enough to carry any mistyped code back as a clear 422 from the service.
CODE_LENGTH_MAX = 20
REASON_LENGTH_MAX = 200


class PlaceOut(Schema):
    """Where a job starts or ends."""

    model_config = ConfigDict(extra="allow")

    district: str = Field(description="The district's code.")
    district_name: str
    district_name_en: str
    detail: str = Field(description="The merchant's address, or the shopper's.")


class RecipientOut(Schema):
    """Who takes the delivery at the door."""

    name: str = Field(description="The shopper's name.")
    phone: str | None = Field(
        description="The order's phone, while the job is on the courier's route "
        "(assigned or picked up); null once it is handed over, cancelled or waiting."
    )


class CourierJobOut(Schema):
    """A delivery job as its courier sees it (never with the confirmation code)."""

    model_config = ConfigDict(extra="allow")

    id: int
    status: str = Field(description="assigned, picked_up, delivered (or waiting).")
    route_position: int | None = Field(description="1, 2, … along the route.")
    fulfilment: int
    order: str = Field(description="The order's public number.")
    recipient: RecipientOut
    merchant: int
    merchant_name: str
    pickup: PlaceOut
    dropoff: PlaceOut
    weight_g: int
    size_class: str
    vehicle_needed: str
    eta: str | None = Field(description="Estimated hand-over, ISO 8601.")
    is_locked: bool = Field(description="Too many wrong codes: the office must unlock.")
    code_attempts_left: int


class DeliverIn(Schema):
    """The confirmation code the shopper tells the courier at the door."""

    code: Text = Field(
        max_length=CODE_LENGTH_MAX, description="Exactly 4 ASCII digits, e.g. `0427`."
    )


class FailIn(Schema):
    """Why the hand-over failed (nobody home, wrong address)."""

    reason: Text = Field(max_length=REASON_LENGTH_MAX)


class DutyIn(Schema):
    """Going on or off duty, and where the courier is."""

    on_duty: StrictBool
    district: Text | Integer | None = Field(
        default=None, description="District id, code or name (where the courier is)."
    )


class CourierOut(Schema):
    """A courier's vehicle, capacity, load, district and duty."""

    id: int
    vehicle: str
    capacity_g: int
    load_g: int
    district: str
    on_duty: StrictBool


class AssignIn(Schema):
    """The courier an operator gives a job to."""

    courier: Integer = Field(description="The courier's id (not the user's).")


class AssignedJobOut(Schema):
    """One job a dispatch round gave to a courier."""

    job: int
    courier: int
    route_position: int
    eta: str


class DispatchOut(Schema):
    """What one dispatch round did."""

    opened: int = Field(description="Jobs opened for ready fulfilments that had none.")
    cancelled: int = Field(description="Jobs closed because their order was cancelled.")
    assigned: list[AssignedJobOut]
