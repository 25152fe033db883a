"""URLs of the accounts pages: sign up, log in, log out, profile and addresses."""

from django.urls import URLPattern, path

from okryu.web.accounts import demo_phone, phone, second_factor, views

urlpatterns: list[URLPattern] = [
    path("login/", views.AccountLoginView.as_view(), name="login"),
    path("logout/", views.AccountLogoutView.as_view(), name="logout"),
    path("signup/", views.AccountSignupView.as_view(), name="signup"),
    path(
        "second-factor/",
        second_factor.SecondFactorEnrolView.as_view(),
        name="second-factor-enrol",
    ),
    path(
        "second-factor/verify/",
        second_factor.SecondFactorVerifyView.as_view(),
        name="second-factor-verify",
    ),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("phone/", phone.PhoneVerifyView.as_view(), name="phone-verify"),
    path("demo-phone/", demo_phone.DemoPhoneView.as_view(), name="demo-phone"),
    path("addresses/", views.AddressAddView.as_view(), name="address-add"),
    path(
        "addresses/<int:address_id>/delete/",
        views.AddressDeleteView.as_view(),
        name="address-delete",
    ),
    path(
        "addresses/<int:address_id>/default/",
        views.AddressDefaultView.as_view(),
        name="address-default",
    ),
]
