"""A real OpenID Connect provider for the sign-on tests: a small Django project of its own with
django-oauth-toolkit's OIDC support, run as a subprocess by tests/conftest.py (`oidc_provider`).
It is not part of the app; the app meets it only over HTTP, as it would meet Entra ID."""
