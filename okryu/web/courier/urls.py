"""URLs of the courier's pages."""

from django.urls import URLPattern, path

from okryu.web.courier import views

urlpatterns: list[URLPattern] = [
    path("", views.JobListView.as_view(), name="courier-jobs"),
    path("duty/", views.DutyView.as_view(), name="courier-duty"),
    path("jobs/<int:job_id>/", views.JobDetailView.as_view(), name="courier-job"),
    path(
        "jobs/<int:job_id>/pick-up/",
        views.JobPickUpView.as_view(),
        name="courier-job-pick-up",
    ),
    path(
        "jobs/<int:job_id>/hand-over/",
        views.JobHandOverView.as_view(),
        name="courier-job-hand-over",
    ),
    path(
        "jobs/<int:job_id>/fail/",
        views.JobFailView.as_view(),
        name="courier-job-fail",
    ),
]
