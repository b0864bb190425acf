from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ChallengeConfig(AppConfig):
    name = "challenge"
    verbose_name = "Challenge (project)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers of the sign-in signals: the audit trail's log lines, and the start of the
        # session's clock for its time-outs.
        # Integer `in` lookups that ignore ids too large for the database (see lookups.py).
        from . import audit, lookups, session_timeout  # noqa: F401


class ChallengeAdminConfig(AdminConfig):
    """`django.contrib.admin` with a site that only superusers may use (see admin_site.py)."""

    default_site = "challenge.admin_site.AdministratorsAdminSite"

    def ready(self):
        super().ready()  # finds every app's admin module
        # Single sign-on's OpenID Connect apps are built from each organisation's provider
        # (programmes.SignOnProvider, in its own admin); allauth's own tables of apps and tokens
        # are not used, so the admin does not offer them. Its linked accounts stay: deleting
        # one unlinks a person's organisation account.
        from allauth.socialaccount.models import SocialApp, SocialToken
        from django.contrib import admin

        for model in (SocialApp, SocialToken):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
