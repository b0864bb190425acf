"""Addresses of the challenge triage. Included by workspace/urls.py."""

from django.urls import path

from workspace import triage_views as views

urlpatterns = [
    path("sessions/<int:pk>/challenges/", views.challenge_triage, name="challenge_triage"),
    path("sessions/<int:pk>/challenges/<int:comment_pk>/", views.challenge_mark, name="challenge_mark"),
]
