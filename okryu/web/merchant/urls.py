"""URLs of the merchant's back office: the order queue, products and their stock."""

from django.urls import URLPattern, path
from django.views.generic import RedirectView

from okryu.web.merchant import dishes, hours, products, queue, stock

urlpatterns: list[URLPattern] = [
    path("", RedirectView.as_view(pattern_name="merchant-queue"), name="merchant"),
    path("queue/", queue.QueueView.as_view(), name="merchant-queue"),
    path(
        "queue/<int:fulfilment_id>/reject/",
        queue.RejectView.as_view(),
        name="merchant-reject",
    ),
    path(
        "queue/<int:fulfilment_id>/<slug:action>/",
        queue.QueueActionView.as_view(),
        name="merchant-queue-action",
    ),
    path("hours/", hours.HoursView.as_view(), name="merchant-hours"),
    path(
        "hours/<int:merchant_id>/",
        hours.HoursView.as_view(),
        name="merchant-hours-of",
    ),
    path("products/", products.ProductListView.as_view(), name="merchant-products"),
    path(
        "products/new/",
        products.ProductCreateView.as_view(),
        name="merchant-product-create",
    ),
    path(
        "products/<int:product_id>/",
        products.ProductEditView.as_view(),
        name="merchant-product-edit",
    ),
    path(
        "products/<int:product_id>/photo/",
        products.ProductPhotoView.as_view(),
        name="merchant-product-photo",
    ),
    path(
        "products/<int:product_id>/sale/<slug:action>/",
        products.ProductWithdrawView.as_view(),
        name="merchant-product-withdraw",
    ),
    path(
        "products/<int:product_id>/kitchen/",
        dishes.DishKitchenView.as_view(),
        name="merchant-dish-kitchen",
    ),
    path(
        "products/<int:product_id>/option-groups/",
        dishes.OptionGroupAddView.as_view(),
        name="merchant-option-group-add",
    ),
    path(
        "option-groups/<int:group_id>/options/",
        dishes.OptionAddView.as_view(),
        name="merchant-option-add",
    ),
    path(
        "option-groups/<int:group_id>/remove/",
        dishes.OptionGroupRemoveView.as_view(),
        name="merchant-option-group-remove",
    ),
    path(
        "options/<int:option_id>/remove/",
        dishes.OptionRemoveView.as_view(),
        name="merchant-option-remove",
    ),
    path(
        "products/<int:product_id>/stock/",
        stock.StockView.as_view(),
        name="merchant-stock",
    ),
    path(
        "products/<int:product_id>/stock/<slug:kind>/",
        stock.StockChangeView.as_view(),
        name="merchant-stock-change",
    ),
]
