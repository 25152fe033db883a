"""URLs of the server-rendered pages, one module per group of pages."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("okryu.web.accounts.urls")),
    path("basket/", include("okryu.web.basket.urls")),
    path("", include("okryu.web.shop.urls")),
]
