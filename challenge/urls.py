from django.contrib import admin
from django.urls import include, path

from . import auth_views, indicator_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/<slug:slug>/", views.programme_dashboard, name="programme_dashboard"),
    path("programmes/<slug:slug>/calendar.ics", views.programme_calendar, name="programme_calendar"),
    path(
        "programmes/<slug:slug>/milestones/new/", views.milestone_form, name="milestone_create"
    ),
    path(
        "programmes/<slug:slug>/milestones/<int:pk>/", views.milestone_form, name="milestone_edit"
    ),
    path(
        "programmes/<slug:slug>/milestones/<int:pk>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("areas/<slug:slug>/", indicator_views.area_page, name="area_page"),
    path("indicators/import/", indicator_views.indicator_import_view, name="indicator_import"),
    path("indicators/export.csv", indicator_views.indicator_export, name="indicator_export"),
    path("indicators/template.csv", indicator_views.indicator_template, name="indicator_template"),
    path("indicators/<slug:code>/", indicator_views.indicator_detail, name="indicator_detail"),
    path("programmes/<slug:slug>/indicators/", indicator_views.infographic, name="infographic"),
    path("", include("sessions.urls")),
    path("", include("findings.urls")),
    # Before Django's own: the same page, with a limit on the e-mails it sends.
    path(
        "accounts/password_reset/",
        auth_views.RateLimitedPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
