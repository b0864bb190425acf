from django.urls import path

from programmes import notice_views as views

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/read/", views.notice_read_all, name="notice_read_all"),
    path("notices/settings/", views.notice_settings, name="notice_settings"),
    path("notices/<int:pk>/open/", views.notice_open, name="notice_open"),
    path("notices/unsubscribe/<str:token>/", views.notice_unsubscribe, name="notice_unsubscribe"),
]
