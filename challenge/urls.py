from django.contrib import admin
from django.urls import include, path

from . import views

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
    path("", include("sessions.urls")),
    path("", include("findings.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
