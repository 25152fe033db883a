"""URLs of the bank counter pages."""

from django.urls import URLPattern, path

from okryu.web.teller import supervisor, views

urlpatterns: list[URLPattern] = [
    path("", views.TellerHomeView.as_view(), name="teller-home"),
    path("drawer/open/", views.OpenDrawerView.as_view(), name="teller-drawer-open"),
    path("drawer/close/", views.CloseDrawerView.as_view(), name="teller-drawer-close"),
    path("approvals/", supervisor.QueueView.as_view(), name="supervisor-queue"),
    path(
        "card-actions/",
        supervisor.CardActionsView.as_view(),
        name="supervisor-card-actions",
    ),
    path(
        "approvals/<int:top_up_id>/approve/",
        supervisor.ApproveView.as_view(),
        name="supervisor-approve",
    ),
    path(
        "approvals/<int:top_up_id>/reject/",
        supervisor.RejectView.as_view(),
        name="supervisor-reject",
    ),
    path("holders/<str:username>/", views.HolderView.as_view(), name="teller-holder"),
    path(
        "holders/<str:username>/cards/",
        views.IssueCardView.as_view(),
        name="teller-issue",
    ),
    path("cards/<str:number>/", views.CardView.as_view(), name="teller-card"),
    path("cards/<str:number>/topups/", views.TopUpView.as_view(), name="teller-topup"),
    path("cards/<str:number>/block/", views.BlockView.as_view(), name="teller-block"),
    path(
        "cards/<str:number>/unblock/",
        views.UnblockView.as_view(),
        name="teller-unblock",
    ),
    path("cards/<str:number>/pin/", views.PinResetView.as_view(), name="teller-pin"),
    path(
        "cards/<str:number>/statement/",
        views.StatementView.as_view(),
        name="teller-statement",
    ),
]
