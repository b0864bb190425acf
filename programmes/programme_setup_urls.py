"""Addresses of the partnership's programme setup pages (issue 13). Included by programmes/urls.py."""

urlpatterns = []
