"""URLs of the server-rendered pages, one module per group of pages."""

from django.urls import include, path

from okryu.web.offline import service_worker

urlpatterns = [
    # At the root, so the worker's scope is every page.
    path("sw.js", service_worker, name="service-worker"),
    path("accounts/", include("okryu.web.accounts.urls")),
    path("basket/", include("okryu.web.basket.urls")),
    path("checkout/", include("okryu.web.checkout.urls")),
    path("orders/", include("okryu.web.orders.urls")),
    path("waitlist/", include("okryu.web.waitlist.urls")),
    path("merchant/insights/", include("okryu.web.insights.urls")),
    path("merchant/", include("okryu.web.merchant.urls")),
    path("kitchen/", include("okryu.web.kitchen.urls")),
    path("logistics/", include("okryu.web.logistics.urls")),
    path("door-losses/", include("okryu.web.door_losses.urls")),
    path("courier/", include("okryu.web.courier.urls")),
    path("teller/", include("okryu.web.teller.urls")),
    path("cards/", include("okryu.web.cards.urls")),
    path("pay/", include("okryu.web.cards.pay_urls")),
    path("", include("okryu.web.shop.urls")),
]
