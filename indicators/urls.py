from django.urls import path

from indicators import views

urlpatterns = [
    path("areas/<slug:slug>/", views.area_page, name="area_page"),
    path("indicators/import/", views.indicator_import_view, name="indicator_import"),
    path("indicators/export.csv", views.indicator_export, name="indicator_export"),
    path("indicators/template.csv", views.indicator_template, name="indicator_template"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("programmes/<slug:slug>/indicators/", views.infographic, name="infographic"),
]
