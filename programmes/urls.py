from django.urls import include, path

from programmes import views

urlpatterns = [
    path("programmes/<slug:slug>/milestones/new/", views.milestone_form, name="milestone_create"),
    path("programmes/<slug:slug>/milestones/<int:pk>/", views.milestone_form, name="milestone_edit"),
    path("programmes/<slug:slug>/milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    # The partnership's own set-up, in the app (issue 13): each part has its own module.
    path("", include("programmes.people_urls")),
    path("", include("programmes.question_set_urls")),
    path("", include("programmes.programme_setup_urls")),
    path("", include("programmes.area_urls")),
    # Its councillors: scrutiny panels and cabinet portfolios (issue 15).
    path("", include("programmes.councillor_urls")),
    # A person's notices and how they are e-mailed (issue 14).
    path("", include("programmes.notice_urls")),
]
