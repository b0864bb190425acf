from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Partners, people, areas, programmes and question sets"
    default_auto_field = "django.db.models.BigAutoField"
