"""URLs of the server-rendered pages."""

from django.urls import path

from okryu.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
