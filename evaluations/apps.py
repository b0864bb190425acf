import logging
import sys

from django.apps import AppConfig

logger = logging.getLogger(__name__)

# The management commands that run background tasks: only these load WeasyPrint.
WORKER_COMMANDS = {"db_worker"}


def is_worker_process(argv=None) -> bool:
    argv = sys.argv if argv is None else argv
    return len(argv) > 1 and argv[1] in WORKER_COMMANDS


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Self-evaluations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A background worker loads WeasyPrint and its fonts as it starts, so its first PDF
        # costs what a warm one does. The web process never imports WeasyPrint.
        if is_worker_process():
            from evaluations.pdf import warm_up

            try:
                logger.info("WeasyPrint warmed up in %.1fs", warm_up())
            except Exception:  # a worker that cannot warm up still runs its other tasks
                logger.exception("WeasyPrint warm-up failed")
