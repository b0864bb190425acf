"""The partnership (partnership.toml), its partners (partners.toml) and people
(people.toml, each a member of the partnership), with the demonstration logins.

The partnership is matched by slug (or name), partners by name within it and people by
username, and brought in line with the files on every run. Only the `admin` account is staff,
and belongs to no partnership; the facilitator runs the programme through the app, as the
partnership's facilitator, not through the Django admin."""

import secrets
from dataclasses import dataclass, field

from django.db.models import Q

from demo.seed.files import load
from programmes.models import Membership, Partner, Partnership, User
from programmes.services import copy_standard_question_sets, create_partnership

PERSON_FIELDS = ["first_name", "last_name", "job_title", "email"]


@dataclass
class Logins:
    """Sets the demonstration logins' passwords and keeps what to print: `password` is
    DEMO_PASSWORD, or None to keep a password already set and generate a missing one."""

    password: str | None
    shown: list = field(default_factory=list)  # (username, role, password or None)

    def set_password(self, user, created, role):
        password = self.password
        if password is None and (created or not user.has_usable_password()):
            password = secrets.token_urlsafe(9)
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        self.shown.append((user.username, role, password))


def seed_partnership() -> Partnership:
    """The partnership, made with its own copy of the standard question set."""
    spec = load("partnership.toml")
    partnership = Partnership.objects.filter(Q(slug=spec["slug"]) | Q(name=spec["name"])).first()
    if partnership is None:
        return create_partnership(name=spec["name"], slug=spec["slug"], description=spec["description"])
    partnership.name, partnership.slug, partnership.description = spec["name"], spec["slug"], spec["description"]
    partnership.save()
    copy_standard_question_sets(partnership)  # a partnership made before it had its own
    return partnership


def seed_partners(partnership) -> dict:
    """The partners by short name."""
    partners = {}
    for short, spec in load("partners.toml").items():
        partners[short], _ = Partner.objects.update_or_create(
            partnership=partnership,
            name=spec["name"],
            defaults={"short_name": short, "kind": spec["kind"], "contact_email": spec["contact_email"]},
        )
    return partners


def seed_people(partnership, partners, logins: Logins) -> dict:
    """The people by username (the administrator aside), each a member of the partnership
    working for their partner. A person with a `login` gets a password; everyone else only
    takes part, and nobody can sign in as them."""
    data = load("people.toml")
    people = {}
    for spec in data["person"]:
        person, created = User.objects.update_or_create(username=spec["username"], defaults=_account_fields(spec))
        Membership.objects.update_or_create(
            partnership=partnership,
            person=person,
            defaults={
                "partner": partners[spec["partner"]],
                "is_facilitator": spec.get("is_facilitator", False),
                "is_officer": spec.get("is_officer", False),
                "is_active": True,
            },
        )
        if "login" in spec:
            logins.set_password(person, created, spec["login"])
        elif created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
        people[person.username] = person
    admin = data["admin"]
    admin_user, created = User.objects.update_or_create(username=admin["username"], defaults=_account_fields(admin))
    logins.set_password(admin_user, created, admin["login"])
    return people


def _account_fields(spec) -> dict:
    fields = {name: spec[name] for name in PERSON_FIELDS if name in spec}
    # Staff and superuser are always set, so that a re-run takes them away from an account
    # that had them in an earlier version of the demo (the facilitator was staff).
    fields["is_staff"] = spec.get("is_staff", False)
    fields["is_superuser"] = spec.get("is_superuser", False)
    return fields
