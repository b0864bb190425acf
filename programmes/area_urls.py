"""Addresses of the partnership's areas and focus topics pages (issue 13). Included by programmes/urls.py."""

from django.urls import path

from programmes import area_views as views

PREFIX = "partnerships/<slug:slug>/areas/"

urlpatterns = [
    path(PREFIX, views.area_list, name="area_list"),
    path(PREFIX + "new/", views.area_create, name="area_create"),
    path(PREFIX + "<int:pk>/", views.area_edit, name="area_edit"),
    path(PREFIX + "<int:pk>/retire/", views.area_retire, {"retire": True}, name="area_retire"),
    path(PREFIX + "<int:pk>/unretire/", views.area_retire, {"retire": False}, name="area_unretire"),
    path(PREFIX + "<int:pk>/topics/new/", views.topic_add, name="focus_topic_add"),
    path(PREFIX + "<int:pk>/topics/<int:topic_pk>/", views.topic_edit, name="focus_topic_edit"),
    path(PREFIX + "<int:pk>/topics/<int:topic_pk>/move/", views.topic_move, name="focus_topic_move"),
    path(PREFIX + "<int:pk>/topics/<int:topic_pk>/delete/", views.topic_delete, name="focus_topic_delete"),
]
