"""Template filters of the delivery pages: weights in kilograms, size and status labels."""

from django import template

from okryu.catalog.models import SizeClass
from okryu.delivery.models import JobStatus, VehicleChoices

register = template.Library()

GRAMS_PER_KILOGRAM = 1000


@register.filter(name="kilograms")
def kilograms_filter(grams: int) -> str:
    """Render a weight in grams as kilograms with one decimal: ``12.5 kg``, ``1,500.0 kg``."""
    return f"{int(grams) / GRAMS_PER_KILOGRAM:,.1f} kg"


@register.filter(name="size_label")
def size_label_filter(size_class: str) -> str:
    """Render a size class (small, medium, large, bulky) in the reader's language."""
    if size_class in SizeClass.values:
        return str(SizeClass(size_class).label)
    return size_class


@register.filter(name="job_status_label")
def job_status_label_filter(status: str) -> str:
    """Render a delivery job's status in the reader's language."""
    if status in JobStatus.values:
        return str(JobStatus(status).label)
    return status


@register.filter(name="vehicle_label")
def vehicle_label_filter(vehicle: str) -> str:
    """Render a vehicle (motorbike, van) in the reader's language."""
    if vehicle in VehicleChoices.values:
        return str(VehicleChoices(vehicle).label)
    return vehicle
