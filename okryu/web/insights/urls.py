"""URLs of the producers' insight pages (under /merchant/insights/)."""

from django.urls import URLPattern, path

from okryu.web.insights import views

urlpatterns: list[URLPattern] = [
    path("", views.SummaryView.as_view(), name="insights"),
    path("summary.csv", views.SummaryCsvView.as_view(), name="insights-csv"),
    path("<int:product_id>/", views.ProductView.as_view(), name="insights-product"),
    path(
        "<int:product_id>/demand.csv",
        views.ProductCsvView.as_view(),
        name="insights-product-csv",
    ),
]
