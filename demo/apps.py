from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Salford 2009 demonstration: its data files (demo/data/) and `manage.py seed_demo`,
    which loads them through the apps' services. No models."""

    name = "demo"
    verbose_name = "Salford demonstration"
