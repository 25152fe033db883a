"""Storefront views (being built)."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    """Answer the home page."""
    return HttpResponse("Okryu")
