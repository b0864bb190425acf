from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Session workspace"
    default_auto_field = "django.db.models.BigAutoField"
