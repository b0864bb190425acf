"""Addresses of the action tracker and of one action's page. Included by findings/urls.py."""

from django.urls import path

from findings import tracker_views as views

urlpatterns = [
    path("programmes/<slug:slug>/actions/", views.action_tracker, name="action_tracker"),
    path("programmes/<slug:slug>/actions.csv", views.action_tracker_csv, name="action_tracker_csv"),
    path("actions/<int:action_pk>/", views.action_page, name="action_page"),
]
