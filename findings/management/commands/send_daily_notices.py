"""The daily round of notices, run once a day (deploy/systemd/challenge-notices.timer):

    python manage.py send_daily_notices

First it records a notice for the owner of every open improvement action due within 7 days
or overdue (once per action and due date: running it twice a day tells nobody twice), e-mailed
at once or kept for the digest as each owner chose; then it queues, for everyone with notices
waiting for the daily digest, one digest e-mail; last, it queues again the at-once e-mails of
the past week that failed. The worker sends the e-mails."""

from django.core.management.base import BaseCommand

from challenge.clock import today as clock_today
from findings.notices import notify_due_actions
from programmes.notices import queue_digests, queue_unsent


class Command(BaseCommand):
    help = "Notify owners of improvement actions due within 7 days or overdue, and queue the daily digests."

    def handle(self, *args, **options):
        made = notify_due_actions(clock_today())
        queued = queue_digests()
        retried = queue_unsent()
        self.stdout.write(
            f"{made} action notice{'s' if made != 1 else ''} made; {queued} digest{'s' if queued != 1 else ''} queued"
            + (f"; {retried} unsent e-mail{'s' if retried != 1 else ''} queued again." if retried else ".")
        )
