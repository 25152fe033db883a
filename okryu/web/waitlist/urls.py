"""URLs of the shopper's waitlist pages."""

from django.urls import URLPattern, path

from okryu.web.waitlist import views

urlpatterns: list[URLPattern] = [
    path("", views.WaitlistView.as_view(), name="waitlist"),
    path("join/<int:product_id>/", views.JoinView.as_view(), name="waitlist-join"),
    path("<int:entry_id>/cancel/", views.CancelView.as_view(), name="waitlist-cancel"),
]
