"""URLs of the logistics office's stand-in page."""

from django.urls import URLPattern, path

from okryu.web.merchant import logistics

urlpatterns: list[URLPattern] = [
    path("", logistics.LogisticsView.as_view(), name="logistics"),
    path(
        "<int:fulfilment_id>/<slug:action>/",
        logistics.LogisticsActionView.as_view(),
        name="logistics-action",
    ),
]
