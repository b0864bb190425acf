from django.urls import include, path

from findings import audit_views, edit_views, views

urlpatterns = [
    path("sessions/<int:pk>/areas/<int:area_pk>/findings/", views.session_findings, name="session_findings"),
    path("findings/<int:finding_pk>/actions/", views.action_add, name="action_add"),
    path("findings/<int:finding_pk>/edit/", edit_views.finding_edit, name="finding_edit"),
    path("findings/<int:finding_pk>/withdraw/", edit_views.finding_withdraw, name="finding_withdraw"),
    path("findings/<int:finding_pk>/restore/", edit_views.finding_restore, name="finding_restore"),
    path("findings/<int:finding_pk>/history/", edit_views.finding_history, name="finding_history"),
    path("actions/<int:action_pk>/status/", views.action_status, name="action_status"),
    path("programmes/<slug:slug>/findings/", views.emerging_findings, name="emerging_findings"),
    path("areas/<slug:slug>/history/", views.area_history, name="area_history"),
    path("", include("findings.tracker_urls")),
    path("", include("findings.resolution_urls")),
]

# Assurance audits of an area (findings/audit_views.py).
urlpatterns += [
    path("areas/<slug:slug>/audits/", audit_views.audit_list, name="audit_list"),
    path("areas/<slug:slug>/audits/new/", audit_views.audit_create, name="audit_create"),
    path("audits/<int:pk>/", audit_views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/edit/", audit_views.audit_edit, name="audit_edit"),
    path("audits/<int:pk>/findings/new/", audit_views.audit_finding_add, name="audit_finding_add"),
]
