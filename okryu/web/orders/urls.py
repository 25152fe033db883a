"""URLs of the shopper's order pages."""

from django.urls import URLPattern, path

from okryu.web.orders import views

urlpatterns: list[URLPattern] = [
    path("", views.OrderListView.as_view(), name="orders"),
    path("outcome/", views.OrderOutcomeView.as_view(), name="order-outcome"),
    path("<int:order_id>/", views.OrderDetailView.as_view(), name="order"),
    path(
        "<int:order_id>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"
    ),
]
