from django.apps import AppConfig


class ChallengeConfig(AppConfig):
    name = "challenge"
    verbose_name = "Challenge programme"
    default_auto_field = "django.db.models.BigAutoField"
