from django.urls import path, re_path

from evaluations import scrutiny_views, views

urlpatterns = [
    path(
        "programmes/<slug:slug>/areas/<int:area_pk>/self-evaluation/",
        views.self_evaluation_start,
        name="self_evaluation_start",
    ),
    path("programmes/<slug:slug>/area-self-evaluation/", views.area_build_start, name="area_build_start"),
    path("builds/<int:pk>/", views.area_build_status, name="area_build_status"),
    path("builds/<int:pk>/area-self-evaluation.pdf", views.area_build_pdf, name="area_build_pdf"),
    path("self-evaluations/<int:pk>/", views.self_evaluation, name="self_evaluation"),
    path("self-evaluations/<int:pk>/record/", views.self_evaluation_record, name="self_evaluation_record"),
    path("self-evaluations/<int:pk>/texts/", views.self_evaluation_texts, name="self_evaluation_texts"),
    path("self-evaluations/<int:pk>/comments/", views.self_evaluation_comment, name="self_evaluation_comment"),
    path("self-evaluations/<int:pk>/pdf/", views.self_evaluation_pdf, name="self_evaluation_pdf"),
    path("self-evaluations/<int:pk>/docx/", views.self_evaluation_docx, name="self_evaluation_docx"),
    path("self-evaluations/<int:pk>/html/", views.self_evaluation_published, name="self_evaluation_published"),
    path("agenda-items/<int:pk>/scrutiny-report.pdf", scrutiny_views.scrutiny_report_pdf, name="scrutiny_report_pdf"),
    re_path(
        r"^self-evaluations/(?P<pk>[0-9]+)/(?P<action>circulate|finalise|reopen)/$",
        views.self_evaluation_action,
        name="self_evaluation_action",
    ),
]
