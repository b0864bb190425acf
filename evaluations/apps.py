from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Self-evaluations"
    default_auto_field = "django.db.models.BigAutoField"
