from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "Findings and self-evaluations"
    default_auto_field = "django.db.models.BigAutoField"
