"""Addresses of the partnership's question set pages (issue 13). Included by programmes/urls.py."""

from django.urls import path

from programmes import question_set_views as views

PREFIX = "partnerships/<slug:slug>/question-sets/"

urlpatterns = [
    path(PREFIX, views.question_set_list, name="question_set_list"),
    path(PREFIX + "<int:pk>/", views.question_set_detail, name="question_set_detail"),
    path(PREFIX + "<int:pk>/new-version/", views.question_set_new_version, name="question_set_new_version"),
    path(PREFIX + "<int:pk>/use/", views.question_set_use, name="question_set_use"),
    path(PREFIX + "<int:pk>/sections/new/", views.section_form, name="question_set_section_create"),
    path(PREFIX + "<int:pk>/sections/<int:section_pk>/", views.section_form, name="question_set_section_edit"),
    path(PREFIX + "<int:pk>/sections/<int:section_pk>/move/", views.section_move, name="question_set_section_move"),
    path(
        PREFIX + "<int:pk>/sections/<int:section_pk>/questions/new/",
        views.question_form,
        name="question_set_question_create",
    ),
    path(PREFIX + "<int:pk>/questions/<int:question_pk>/", views.question_form, name="question_set_question_edit"),
    path(PREFIX + "<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question_set_question_move"),
    path(
        PREFIX + "<int:pk>/questions/<int:question_pk>/retire/",
        views.question_retire,
        name="question_set_question_retire",
    ),
]
