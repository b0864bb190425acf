"""The partners (partners.toml) and people (people.toml), with the demonstration logins.

Partners are matched by name and people by username, and brought in line with the files on
every run. Only the `admin` account is staff; the facilitator runs the programme through the
app, as a programme facilitator, not through the Django admin."""

import secrets
from dataclasses import dataclass, field

from demo.seed.files import load
from programmes.models import Partner, User

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


def seed_partners() -> dict:
    """The partners by short name."""
    partners = {}
    for short, spec in load("partners.toml").items():
        partners[short], _ = Partner.objects.update_or_create(
            name=spec["name"],
            defaults={"short_name": short, "kind": spec["kind"], "contact_email": spec["contact_email"]},
        )
    return partners


def seed_people(partners, logins: Logins) -> dict:
    """The people by username (the administrator aside). A person with a `login` gets a
    password; everyone else only takes part, and nobody can sign in as them."""
    data = load("people.toml")
    people = {}
    for spec in data["person"]:
        fields = _account_fields(spec)
        fields["partner"] = partners[spec["partner"]]
        person, created = User.objects.update_or_create(username=spec["username"], defaults=fields)
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
    if "is_officer" in spec:
        fields["is_officer"] = spec["is_officer"]
    return fields
