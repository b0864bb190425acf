"""Addresses of the partnership's people pages (issue 13). Included by programmes/urls.py."""

from django.urls import path

from programmes import logo_views, sign_on_views
from programmes import people_views as views

urlpatterns = [
    path("partnerships/<slug:slug>/", views.partnership_home, name="partnership_home"),
    path("partnerships/<slug:slug>/logo/", logo_views.partnership_logo, name="partnership_logo"),
    path("partnerships/<slug:slug>/logo/remove/", logo_views.partnership_logo_remove, name="partnership_logo_remove"),
    path("partnerships/<slug:slug>/organisations/", views.partner_list, name="partner_list"),
    path("partnerships/<slug:slug>/organisations/new/", views.partner_form, name="partner_add"),
    path("partnerships/<slug:slug>/organisations/<int:pk>/", views.partner_form, name="partner_edit"),
    path(
        "partnerships/<slug:slug>/organisations/<int:pk>/sign-on/",
        sign_on_views.partner_sign_on,
        name="partner_sign_on",
    ),
    path("partnerships/<slug:slug>/people/", views.people_list, name="people_list"),
    path("partnerships/<slug:slug>/people/new/", views.person_add, name="person_add"),
    path("partnerships/<slug:slug>/people/import/", views.people_import, name="people_import"),
    path("partnerships/<slug:slug>/people/<int:pk>/", views.person_edit, name="person_edit"),
    path(
        "partnerships/<slug:slug>/people/<int:pk>/leave/",
        views.person_active,
        {"action": "leave"},
        name="person_leave",
    ),
    path(
        "partnerships/<slug:slug>/people/<int:pk>/rejoin/",
        views.person_active,
        {"action": "rejoin"},
        name="person_rejoin",
    ),
    path("partnerships/<slug:slug>/people/<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
