from django.urls import path

from dashboard import search_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/<slug:slug>/", views.programme_dashboard, name="programme_dashboard"),
    path("programmes/<slug:slug>/documents/", views.documents, name="documents"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("search/", search_views.search, name="search"),
]
