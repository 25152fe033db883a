"""URLs of the losses at the door (supervisor's list, operator's clearing)."""

from django.urls import URLPattern, path

from okryu.web.door_losses import views

urlpatterns: list[URLPattern] = [
    path("", views.DoorLossListView.as_view(), name="door-losses"),
    path(
        "<int:loss_id>/clear/",
        views.DoorLossClearView.as_view(),
        name="door-loss-clear",
    ),
]
