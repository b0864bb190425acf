from django.urls import path, re_path

from sessions import agenda_views, panel_views, series_views, views

urlpatterns = [
    path("programmes/<slug:slug>/sessions/", views.session_list, name="session_list"),
    path("programmes/<slug:slug>/sessions/new/", views.session_create, name="session_create"),
    path("programmes/<slug:slug>/calendar.ics", views.programme_calendar, name="programme_calendar"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/participants/", views.participant_add, name="participant_add"),
    path(
        "sessions/<int:pk>/participants/<int:participant_pk>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("sessions/<int:pk>/agenda/new/", agenda_views.agenda_item_add, name="agenda_item_add"),
    path("agenda-items/<int:item_pk>/edit/", agenda_views.agenda_item_edit, name="agenda_item_edit"),
    re_path(
        r"^sessions/(?P<pk>[0-9]+)/(?P<action>schedule|held|cancel)/$",
        views.session_status,
        name="session_status",
    ),
]

# Stretch-and-challenge series (sessions/series_views.py).
urlpatterns += [
    path("programmes/<slug:slug>/series/new/", series_views.series_create, name="series_create"),
    path("series/<int:pk>/", series_views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", series_views.series_edit, name="series_edit"),
    path("series/<int:pk>/occurrences/<int:occurrence_pk>/skip/", series_views.occurrence_skip, name="occurrence_skip"),
    path(
        "series/<int:pk>/occurrences/<int:occurrence_pk>/notes/", series_views.occurrence_notes, name="occurrence_notes"
    ),
]

# A partnership's scrutiny panels and cabinet portfolios (sessions/panel_views.py): a change
# reaches the panel's coming meetings. The councillors' list is programmes'.
urlpatterns += [
    path("partnerships/<slug:slug>/panels/new/", panel_views.panel_form, name="panel_add"),
    path("partnerships/<slug:slug>/panels/<int:pk>/", panel_views.panel_form, name="panel_edit"),
    path("partnerships/<slug:slug>/portfolios/new/", panel_views.portfolio_form, name="portfolio_add"),
    path("partnerships/<slug:slug>/portfolios/<int:pk>/", panel_views.portfolio_form, name="portfolio_edit"),
]
