"""Addresses of the partnership's councillor pages. Included by programmes/urls.py. Its panels' and
portfolios' forms are in sessions/urls.py (a change reaches the panel's meetings)."""

from django.urls import path

from programmes import councillor_views as views

urlpatterns = [
    path("partnerships/<slug:slug>/councillors/", views.councillor_list, name="councillor_list"),
]
