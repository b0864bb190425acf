"""Addresses of the partnership's programme setup pages (issue 13). Included by programmes/urls.py."""

from django.urls import path

from programmes import programme_setup_views as views

urlpatterns = [
    path("partnerships/<slug:slug>/programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<slug:slug>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<slug:slug>/roll-forward/", views.programme_roll_forward, name="programme_roll_forward"),
]
