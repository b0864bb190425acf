from django.urls import include, path

from findings import views

urlpatterns = [
    path("sessions/<int:pk>/areas/<int:area_pk>/findings/", views.session_findings, name="session_findings"),
    path("findings/<int:finding_pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:action_pk>/status/", views.action_status, name="action_status"),
    path("programmes/<slug:slug>/findings/", views.emerging_findings, name="emerging_findings"),
    path("areas/<slug:slug>/history/", views.area_history, name="area_history"),
    path("", include("findings.tracker_urls")),
]
