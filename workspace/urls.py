from django.urls import include, path, re_path

from workspace import views

QUESTION = "sessions/<int:pk>/areas/<int:area_pk>/questions/<int:question_pk>/"

urlpatterns = [
    path("sessions/<int:pk>/areas/<int:area_pk>/", views.workspace, name="workspace"),
    path(QUESTION + "answer/", views.answer_save, name="answer_save"),
    path(QUESTION + "answer/edit/", views.answer_edit, name="answer_edit"),
    path(QUESTION + "history/", views.answer_history, name="answer_history"),
    path(QUESTION + "comments/", views.comment_post, name="comment_post"),
    path(QUESTION + "comments/new/", views.comment_new, name="comment_new"),
    path("comments/<int:comment_pk>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:comment_pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_pk>/withdraw/", views.comment_withdraw, name="comment_withdraw"),
    path("comments/<int:comment_pk>/status/", views.comment_status, name="comment_status"),
    re_path(
        r"^sessions/(?P<pk>[0-9]+)/(?P<action>close|reopen)/$",
        views.session_freeze,
        name="session_freeze",
    ),
    path("", include("workspace.triage_urls")),
]
