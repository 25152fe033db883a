"""Top-level URLs: the storefront and other pages, the JSON API and the operator's admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from okryu.api.v1 import api as api_v1
from okryu.core.health import HealthView
from okryu.core.metrics import metrics_view
from okryu.web.accounts.views import AccountLogoutView

urlpatterns = [
    # For the operator's probes and Prometheus (okryu.core.health, okryu.core.metrics).
    path("health/", HealthView.as_view(), name="health"),
    path("metrics", metrics_view, name="metrics"),
    # The admin's logout is the pages' one, which also signs staff out everywhere.
    path("admin/logout/", AccountLogoutView.as_view(), name="admin-logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_v1.urls),
    # Product photos and thumbnails uploaded by merchants. The embedded default has no front
    # server, so Django answers them; at scale a front server or object store takes this path.
    re_path(
        r"^media/(?P<path>.*)$",
        serve,
        {"document_root": settings.MEDIA_ROOT},
        name="media",
    ),
    path("", include("okryu.web.urls")),
]
