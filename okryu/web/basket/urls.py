"""URLs of the basket pages."""

from django.urls import URLPattern, path

from okryu.web.basket import views

urlpatterns: list[URLPattern] = [
    path("", views.BasketView.as_view(), name="basket"),
    path("add/", views.BasketAddView.as_view(), name="basket-add"),
    path(
        "lines/<int:line_id>/",
        views.BasketLineUpdateView.as_view(),
        name="basket-line-update",
    ),
    path(
        "lines/<int:line_id>/remove/",
        views.BasketLineRemoveView.as_view(),
        name="basket-line-remove",
    ),
]
