"""Addresses of the partnership's people pages (issue 13). Included by programmes/urls.py."""

urlpatterns = []
