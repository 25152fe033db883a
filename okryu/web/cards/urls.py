"""URLs of the card pages, the merchant's QR requests and settlement."""

from django.urls import URLPattern, path

from okryu.web.cards import views

urlpatterns: list[URLPattern] = [
    path("", views.MyCardsView.as_view(), name="my-cards"),
    path("qr/new/", views.QrCreateView.as_view(), name="qr-new"),
    path("qr/<str:token>/", views.QrShowView.as_view(), name="qr-show"),
    path("qr/<str:token>.svg", views.QrSvgView.as_view(), name="qr-svg"),
    path("settlement/", views.SettlementView.as_view(), name="settlement"),
    path("<str:number>/", views.MyCardView.as_view(), name="my-card"),
]
