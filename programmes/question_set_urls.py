"""Addresses of the partnership's question set pages (issue 13). Included by programmes/urls.py."""

urlpatterns = []
