from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "Findings and improvement actions"
    default_auto_field = "django.db.models.BigAutoField"
