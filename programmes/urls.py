from django.urls import path

from programmes import views

urlpatterns = [
    path("programmes/<slug:slug>/milestones/new/", views.milestone_form, name="milestone_create"),
    path("programmes/<slug:slug>/milestones/<int:pk>/", views.milestone_form, name="milestone_edit"),
    path("programmes/<slug:slug>/milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
]
