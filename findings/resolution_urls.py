"""Addresses of a scrutiny meeting's agenda items and resolutions. Included by findings/urls.py."""

from django.urls import path

from findings import resolution_views as views

urlpatterns = [
    path("agenda-items/<int:pk>/", views.agenda_item_page, name="agenda_item"),
    path("resolutions/<int:pk>/", views.resolution_page, name="resolution"),
    path("partnerships/<slug:slug>/resolutions/", views.partnership_resolutions, name="partnership_resolutions"),
]
