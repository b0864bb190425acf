"""`challenge-admin`: Django's `manage.py` for an installed package, where there is no checkout
and so no `manage.py` (`challenge-admin migrate`, `challenge-admin db_worker`…)."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "challenge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
