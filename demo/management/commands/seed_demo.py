"""Load the Salford 2009 demonstration programme: `python manage.py seed_demo`.

The data are in demo/data/ (see the comments at the top of each file): Salford City
Partnership's CAA challenge sessions of 2009, with four partners, the people who took part,
eight thematic areas, the "CAA 2009 challenge sessions" programme with its timetable, the four
sessions on their real dates, the 29 April session's workspace (answers and critical-friend
threads), the emerging findings, improvement actions and mini self-evaluations (the final
Safeguarding children PDF rendered and stored), and each area's performance indicators, seeded
first so that the PDF shows them; then the programme rolled forward into its 2010 cycle (a
draft, with one session scheduled), so that an area's history has two cycles. The people other
than James Foster and Martin Vickers are invented; e-mail addresses are on `.example`.

Then Southampton, a second partnership (demo/seed/southampton.py): its scrutiny panel's
meeting of 4 November 2021, item 26, with its KPIs, questions, answers and resolution.

Everything is written through the apps' services where they have one, and nobody is e-mailed:
sessions are never scheduled through the services, the circulated draft is recorded
without notifying the partners, and the threads and replies are posted without notices.
"""

import os

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.seed.accounts import Logins, seed_partners, seed_partnership, seed_people
from demo.seed.cycles import seed_next_cycle
from demo.seed.findings import seed_findings
from demo.seed.indicators import seed_indicators
from demo.seed.programme import programme_data, seed_areas, seed_programme, seed_sessions
from demo.seed.southampton import seed_southampton
from demo.seed.southampton_data import seed_southampton_data
from demo.seed.workspace import seed_workspace


class Command(BaseCommand):
    help = "Load the Salford 2009 demonstration programme (idempotent: safe to run again)."

    def handle(self, *args, **options):
        logins = Logins(password=os.environ.get("DEMO_PASSWORD") or None)
        data = programme_data()
        with transaction.atomic():
            partnership = seed_partnership()
            partners = seed_partners(partnership)
            people = seed_people(partnership, partners, logins)
            areas = seed_areas(partnership, partners, people)
            kpis = seed_indicators(areas)
            programme = seed_programme(partnership, data, areas, people)
            sessions = seed_sessions(programme, areas, people)
            work = seed_workspace(sessions)
            found = seed_findings(programme, sessions, people, demo_day=data["demo_day"])
            next_cycle = seed_next_cycle(programme, areas, people)
            # Southampton (issue 15): its partnership, people, scrutiny panel and the 4 November 2021
            # meeting (demo/seed/southampton.py), then its children's social care KPIs, pathway,
            # assurance audit and weekly stretch-and-challenge series (demo/seed/southampton_data.py).
            southampton = seed_southampton(logins)
            southampton_data = seed_southampton_data(southampton)
        for note in kpis.notes + work.notes + found.notes + southampton_data.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {programme.name} of {partnership.name}: {len(partners)} partners, {len(people)} people, "
                f"{len(areas)} areas, {programme.milestones.count()} milestones, "
                f"{len(sessions)} sessions; indicators: {kpis.summary()}; {work.summary()}; "
                f"findings: {found.summary()}; next cycle: {next_cycle.summary()}."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {southampton.name}: the Children and Families Scrutiny Panel's meeting of 4 November "
                "2021, item 26, with its resolution and the executive's response."
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Southampton's children's social care: {southampton_data.summary()}."))
        self.stdout.write("Demo logins:")
        for username, role, password in logins.shown:
            shown = password if password else "(unchanged)"
            self.stdout.write(f"  {username:<12} {role:<50} password: {shown}")
