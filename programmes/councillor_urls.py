"""Addresses of the partnership's councillor pages. Included by programmes/urls.py."""

from django.urls import path

from programmes import councillor_views as views

urlpatterns = [
    path("partnerships/<slug:slug>/councillors/", views.councillor_list, name="councillor_list"),
    path("partnerships/<slug:slug>/panels/new/", views.panel_form, name="panel_add"),
    path("partnerships/<slug:slug>/panels/<int:pk>/", views.panel_form, name="panel_edit"),
    path("partnerships/<slug:slug>/portfolios/new/", views.portfolio_form, name="portfolio_add"),
    path("partnerships/<slug:slug>/portfolios/<int:pk>/", views.portfolio_form, name="portfolio_edit"),
]
