"""URLs of the logistics office."""

from django.urls import URLPattern, path

from okryu.web.logistics import views

urlpatterns: list[URLPattern] = [
    path("", views.OfficeView.as_view(), name="logistics"),
    path("dispatch/", views.DispatchView.as_view(), name="logistics-dispatch"),
    path(
        "jobs/<int:job_id>/assign/",
        views.JobAssignView.as_view(),
        name="logistics-assign",
    ),
    path(
        "jobs/<int:job_id>/unassign/",
        views.JobUnassignView.as_view(),
        name="logistics-unassign",
    ),
    path(
        "jobs/<int:job_id>/unlock/",
        views.JobUnlockView.as_view(),
        name="logistics-unlock",
    ),
]
