"""URL of the checkout page."""

from django.urls import URLPattern, path

from okryu.web.checkout import views

urlpatterns: list[URLPattern] = [
    path("", views.CheckoutView.as_view(), name="checkout"),
]
