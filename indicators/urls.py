from django.urls import path

from indicators import pathway_views, setup_views, views

urlpatterns = [
    path("areas/<slug:slug>/", views.area_page, name="area_page"),
    path("indicators/import/", views.indicator_import_view, name="indicator_import"),
    path("indicators/export.csv", views.indicator_export, name="indicator_export"),
    path("indicators/template.csv", views.indicator_template, name="indicator_template"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/values/new/", views.indicator_value_form, name="indicator_value_add"),
    path("indicators/<int:pk>/values/<int:value_pk>/", views.indicator_value_form, name="indicator_value_edit"),
    path(
        "indicators/<int:pk>/values/<int:value_pk>/delete/",
        views.indicator_value_delete,
        name="indicator_value_delete",
    ),
    path("programmes/<slug:slug>/indicators/", views.infographic, name="infographic"),
    # The partnership's set-up (issue 13): its facilitators define, change and retire indicators.
    path("partnerships/<slug:slug>/indicators/", setup_views.partnership_indicators, name="partnership_indicators"),
    path("partnerships/<slug:slug>/indicators/new/", setup_views.indicator_form, name="indicator_create"),
    path("partnerships/<slug:slug>/indicators/<int:pk>/edit/", setup_views.indicator_form, name="indicator_edit"),
    path(
        "partnerships/<slug:slug>/indicators/<int:pk>/retire/",
        setup_views.indicator_retire,
        {"action": "retire"},
        name="indicator_retire",
    ),
    path(
        "partnerships/<slug:slug>/indicators/<int:pk>/restore/",
        setup_views.indicator_retire,
        {"action": "restore"},
        name="indicator_restore",
    ),
]

# The journey of the child: an area's pathway as a funnel, and its stages set up
# (indicators/pathway_views.py).
urlpatterns += [
    path("areas/<slug:slug>/pathway/", pathway_views.pathway_page, name="pathway_page"),
    path("areas/<slug:slug>/pathway/stages/", pathway_views.pathway_manage, name="pathway_manage"),
    path("areas/<slug:slug>/pathway/stages/<int:pk>/", pathway_views.stage_edit, name="pathway_stage_edit"),
    path("areas/<slug:slug>/pathway/stages/<int:pk>/remove/", pathway_views.stage_remove, name="pathway_stage_remove"),
]
