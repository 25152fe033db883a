"""URLs of the shop pages."""

from django.urls import URLPattern, path

from okryu.web.shop import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("categories/<int:category_id>/", views.category, name="category"),
    path("merchants/", views.merchants, name="merchants"),
    path("merchants/<int:merchant_id>/", views.merchant, name="merchant"),
    path("products/<int:product_id>/", views.product, name="product"),
    path(
        "products/<int:product_id>/sellers/",
        views.product_sellers,
        name="product-sellers",
    ),
    path("search/", views.search, name="search"),
    path("language/", views.language, name="language"),
]
