"""Start a new partnership on this installation, with its first facilitator invited:

    python manage.py create_partnership "Wessex Community Safety Partnership" \
        --facilitator sam.jones@wessex.example --first-name Sam --last-name Jones \
        --organisation "Wessex County Council"

The partnership gets its own copy of the standard question sets; the facilitator gets a
membership (working for the organisation, if one is named) and an invitation e-mail with a
one-time link to set their password, sent by the worker (the link is printed too, for an
installation whose e-mail is not set up yet). From there the facilitator sets up everything
else in the app: organisations, people, areas, indicators, question sets and programmes.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programmes import people
from programmes.models import Partner, Partnership
from programmes.people_tasks import invitation_url
from programmes.services import create_partnership


class Command(BaseCommand):
    help = "Create a partnership and invite its first facilitator."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partnership's name, e.g. “Wessex Community Safety Partnership”.")
        parser.add_argument("--slug", default="", help="Its address (made from the name if not given).")
        parser.add_argument("--description", default="")
        parser.add_argument("--facilitator", required=True, metavar="EMAIL", help="The first facilitator's e-mail.")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--job-title", default="")
        parser.add_argument(
            "--organisation", default="", help="The partner organisation the facilitator works for (made if new)."
        )

    def handle(self, *args, **options):
        if Partnership.objects.filter(name__iexact=options["name"].strip()).exists():
            raise CommandError(f"A partnership named “{options['name']}” exists already.")
        try:
            with transaction.atomic():
                partnership = create_partnership(
                    name=options["name"].strip(), slug=options["slug"], description=options["description"]
                )
                partner = None
                if options["organisation"].strip():
                    partner = Partner(partnership=partnership, name=options["organisation"].strip())
                    partner.full_clean()
                    partner.save()
                added = people.add_person(
                    partnership=partnership,
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["facilitator"],
                    job_title=options["job_title"],
                    partner=partner,
                    is_facilitator=True,
                )
                invitation = None
                if not added.membership.person.has_usable_password():
                    invitation = people.invite(membership=added.membership)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        person = added.membership.person
        self.stdout.write(f"Created “{partnership.name}” (/partnerships/{partnership.slug}/).")
        if invitation is None:
            self.stdout.write(f"{person.display_name} has an account already: they sign in as {person.username}.")
        else:
            self.stdout.write(f"Invited {person.display_name} <{person.email}> to set a password:")
            self.stdout.write(f"  {invitation_url(invitation)}")
