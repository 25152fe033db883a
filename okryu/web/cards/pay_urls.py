"""URL of the page a QR code opens: ``/pay/<token>/``."""

from django.urls import URLPattern, path

from okryu.web.cards import views

urlpatterns: list[URLPattern] = [
    path("<str:token>/", views.QrPayView.as_view(), name="qr-pay"),
]
