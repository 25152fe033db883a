"""URLs of the kitchen screen: the tickets, the buttons that move them, the sold-out switch."""

from django.urls import URLPattern, path

from okryu.web.kitchen import views

urlpatterns: list[URLPattern] = [
    path("", views.KitchenView.as_view(), name="kitchen"),
    path(
        "dishes/<int:product_id>/<slug:state>/",
        views.KitchenDishView.as_view(),
        name="kitchen-dish",
    ),
    path(
        "<int:fulfilment_id>/<slug:action>/",
        views.KitchenActionView.as_view(),
        name="kitchen-action",
    ),
]
