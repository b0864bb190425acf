from django.urls import path, re_path

from . import views, workspace_views

urlpatterns = [
    path("programmes/<slug:slug>/sessions/", views.session_list, name="session_list"),
    path("programmes/<slug:slug>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/participants/", views.participant_add, name="participant_add"),
    path(
        "sessions/<int:pk>/participants/<int:participant_pk>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "sessions/<int:pk>/areas/<int:area_pk>/",
        workspace_views.workspace,
        name="workspace",
    ),
    path(
        "sessions/<int:pk>/areas/<int:area_pk>/questions/<int:question_pk>/answer/",
        workspace_views.answer_save,
        name="answer_save",
    ),
    path(
        "sessions/<int:pk>/areas/<int:area_pk>/questions/<int:question_pk>/history/",
        workspace_views.answer_history,
        name="answer_history",
    ),
    path(
        "sessions/<int:pk>/areas/<int:area_pk>/questions/<int:question_pk>/comments/",
        workspace_views.comment_post,
        name="comment_post",
    ),
    path("comments/<int:comment_pk>/reply/", workspace_views.comment_reply, name="comment_reply"),
    path("comments/<int:comment_pk>/edit/", workspace_views.comment_edit, name="comment_edit"),
    path(
        "comments/<int:comment_pk>/withdraw/",
        workspace_views.comment_withdraw,
        name="comment_withdraw",
    ),
    path(
        "comments/<int:comment_pk>/status/", workspace_views.comment_status, name="comment_status"
    ),
    re_path(
        r"^sessions/(?P<pk>[0-9]+)/(?P<action>close|reopen)/$",
        workspace_views.session_freeze,
        name="session_freeze",
    ),
    re_path(
        r"^sessions/(?P<pk>[0-9]+)/(?P<action>schedule|held|cancel)/$",
        views.session_status,
        name="session_status",
    ),
]
