from django.apps import AppConfig


class SessionsConfig(AppConfig):
    # Django's own session framework owns the label "sessions".
    name = "sessions"
    label = "challenge_sessions"
    verbose_name = "Challenge sessions"
    default_auto_field = "django.db.models.BigAutoField"
