"""A partnership's partner organisations and people, set up in the app by its facilitators
(issue 13): the reads the pages need, and the writes, each with its rules.

People are matched by e-mail address across the installation: someone added to a second
partnership keeps their one account and gets a second membership, and nothing of the other
partnership (its name, their organisation or roles there) is shown.

Invitations: a one-time link to set a password. Its token is an HMAC of the invitation's
row (keyed by the installation's secret key, programmes.people_tasks.invitation_token), so
the worker that sends it rebuilds it and it is never stored; the row keeps only its SHA-256
hash, to find the invitation when the link is opened."""

import csv
import datetime
import hashlib
import io
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from challenge.editing import refuse_stale
from challenge.submission import create_once
from challenge.validators import no_line_breaks
from programmes.models import Invitation, Membership, Partner, Partnership
from programmes.people_tasks import invitation_token, send_invitation
from programmes.permissions import get_partnership_to_manage as _get_partnership_to_manage

User = get_user_model()

INVITATION_DAYS = 7  # unless settings.CHALLENGE_INVITATION_DAYS says otherwise


# --- Who may -----------------------------------------------------------------------------


def get_partnership_to_manage(user, slug) -> Partnership:
    return _get_partnership_to_manage(user, slug, what="set up its organisations and people")


# --- Reads -------------------------------------------------------------------------------


def partnership_summary(partnership) -> dict:
    """The counts the partnership's home page shows, in one query each."""
    members = Membership.objects.filter(partnership=partnership).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        left=Count("pk", filter=Q(is_active=False)),
        facilitators=Count("pk", filter=Q(is_active=True, is_facilitator=True)),
    )
    return {"partner_count": Partner.objects.filter(partnership=partnership).count(), **members}


def partners_of(partnership):
    """The partnership's organisations, each with `member_count` (active members)."""
    return Partner.objects.filter(partnership=partnership).annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    )


def partner_of(partnership, pk) -> Partner:
    return get_object_or_404(Partner, partnership=partnership, pk=pk)


def membership_of(partnership, pk) -> Membership:
    membership = get_object_or_404(
        Membership.objects.select_related("person", "partner"), partnership=partnership, pk=pk
    )
    membership.partnership = partnership  # already read
    return membership


STATUSES = {"active": "Active", "left": "Left", "all": "Everyone"}


def people_of(partnership, *, status="active", partner_id=None):
    """The partnership's memberships, by name, with the person, organisation and the current
    invitation (`current_invitations`: the newest not replaced one, or none)."""
    memberships = Membership.objects.filter(partnership=partnership).select_related("person", "partner")
    if status == "active":
        memberships = memberships.filter(is_active=True)
    elif status == "left":
        memberships = memberships.filter(is_active=False)
    if partner_id is not None:
        memberships = memberships.filter(partner_id=partner_id)
    return memberships.prefetch_related(
        Prefetch(
            "invitations", queryset=Invitation.objects.filter(replaced_at__isnull=True), to_attr="current_invitations"
        )
    ).order_by("person__first_name", "person__last_name", "person__username", "pk")


def facilitator_names(partnership) -> list[str]:
    """Who an expired invitation tells the person to ask for a new link."""
    people = User.objects.filter(
        memberships__partnership=partnership, memberships__is_active=True, memberships__is_facilitator=True
    ).order_by("first_name", "last_name")
    return [person.display_name for person in people]


# --- Partner organisations ---------------------------------------------------------------


def _check_partner(partner: Partner) -> None:
    partner.full_clean(exclude=["submission_token"])


def add_partner(*, partnership, name, short_name="", kind=Partner.Kind.OTHER, contact_email="", submission_token=None):
    """Add a partner organisation to the partnership (its name unique there). Once per
    `submission_token`."""

    def create():
        partner = Partner(
            partnership=partnership,
            name=name,
            short_name=short_name,
            kind=kind,
            contact_email=contact_email,
            submission_token=submission_token,
        )
        _check_partner(partner)
        partner.save()
        return partner

    with transaction.atomic():
        return create_once(Partner, submission_token, create, partnership_id=partnership.pk)


@transaction.atomic
def update_partner(*, partner, expected_revision, name, short_name, kind, contact_email) -> Partner:
    """Change a partner organisation, unless someone else changed it since the form was
    opened (StaleEdit)."""
    current = Partner.objects.select_for_update().get(pk=partner.pk)
    refuse_stale(current, expected_revision)
    current.name, current.short_name, current.kind, current.contact_email = name, short_name, kind, contact_email
    _check_partner(current)
    current.revision += 1
    current.save()
    return current


# --- People ------------------------------------------------------------------------------


def account_for(email):
    """The one account with this e-mail address (any letter case), or None. Several
    accounts sharing an address cannot be told apart: refused."""
    accounts = list(User.objects.filter(email__iexact=email.strip())[:2])
    if len(accounts) > 1:
        raise ValidationError(
            {"email": "Several accounts use this e-mail address. Ask an administrator to add this person."}
        )
    return accounts[0] if accounts else None


def _username_for(email) -> str:
    base = email.strip().lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _check_partner_of(partnership, partner) -> None:
    if partner is not None and partner.partnership_id != partnership.pk:
        raise ValidationError({"partner": "The organisation must be one of this partnership's partners."})


@dataclass
class Added:
    membership: Membership
    new_account: bool
    repeated: bool = False  # the same form sent again: the membership it made the first time


def add_person(
    *,
    partnership,
    first_name,
    last_name,
    email,
    job_title="",
    partner=None,
    is_facilitator=False,
    is_officer=False,
    is_councillor=False,
    submission_token=None,
) -> Added:
    """Make `email`'s owner a member of the partnership, working for `partner`, with these
    roles. A new address gets a new account with no password yet (they set one from an
    invitation); an address that has an account already (in another partnership) gets a
    membership of this one and keeps its name, and its job title unless it has none. Once
    per `submission_token`."""
    _check_partner_of(partnership, partner)
    email = email.strip()

    def sent_before():
        earlier = Membership.objects.filter(submission_token=submission_token).first()
        if earlier is not None and earlier.partnership_id != partnership.pk:
            raise ValidationError("This form has already been used. Reload the page and try again.")
        return earlier

    with transaction.atomic():
        if submission_token is not None and (earlier := sent_before()) is not None:
            return Added(earlier, new_account=False, repeated=True)
        person = account_for(email)
        new_account = person is None
        if person is None:
            person = _new_account(email=email, first_name=first_name, last_name=last_name, job_title=job_title)
            new_account = not getattr(person, "_found", False)
            # Made by the same form sent twice at once (a double click): its first sending.
            if not new_account and submission_token is not None and (earlier := sent_before()) is not None:
                return Added(earlier, new_account=False, repeated=True)
        if not new_account:
            existing = Membership.objects.filter(partnership=partnership, person=person).first()
            if existing is not None:
                if existing.is_active:
                    raise ValidationError({"email": f"{person.display_name} is already a member of the partnership."})
                raise ValidationError(
                    {"email": f"{person.display_name} has left the partnership: re-activate them from the people list."}
                )
            if job_title and not person.job_title:
                person.job_title = job_title
                person.save(update_fields=["job_title"])
        try:
            with transaction.atomic():
                membership = create_once(
                    Membership,
                    submission_token,
                    lambda: Membership.objects.create(
                        partnership=partnership,
                        person=person,
                        partner=partner,
                        is_facilitator=is_facilitator,
                        is_officer=is_officer,
                        is_councillor=is_councillor,
                        submission_token=submission_token,
                    ),
                    partnership_id=partnership.pk,
                )
        except IntegrityError:
            # Someone else added the same person to the partnership at the same moment.
            raise ValidationError(
                {"email": f"{person.display_name} was added to the partnership a moment ago, by someone else."}
            ) from None
    return Added(membership, new_account=new_account)


def _new_account(*, email, first_name, last_name, job_title) -> User:
    """A new account for `email`, with no password yet. If another request made one for the
    same address at the same moment (its user name is taken when this one saves), that
    account is returned instead, marked `_found`, and used as an existing one."""
    person = User(
        username=_username_for(email),
        email=email,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
    )
    person.set_unusable_password()
    # The user name is made here, not typed: the database's unique index decides it (below).
    person.full_clean(exclude=["password", "username"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        found = account_for(email)
        if found is None:
            raise
        found._found = True
        return found
    return person


def _refuse_own_lock_out(membership, by, *, facilitator=True, active=True) -> None:
    if by is not None and by.pk == membership.person_id and not by.is_superuser and not (facilitator and active):
        raise ValidationError(
            "You cannot take away your own facilitator role or deactivate yourself: ask another facilitator."
        )


@transaction.atomic
def update_membership(
    *, membership, expected_revision, partner, is_facilitator, is_officer, job_title, by=None, is_councillor=None
) -> Membership:
    """Change someone's organisation and roles in the partnership (`is_councillor` None: as
    it is), and their job title, unless someone else changed the membership since the form
    was opened (StaleEdit)."""
    current = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    refuse_stale(current, expected_revision)
    _check_partner_of(current.partnership, partner)
    _refuse_own_lock_out(current, by, facilitator=is_facilitator)
    current.partner, current.is_facilitator, current.is_officer = partner, is_facilitator, is_officer
    if is_councillor is not None:
        current.is_councillor = is_councillor
    current.revision += 1
    current.save()
    if current.person.job_title != job_title:
        no_line_breaks(job_title)
        current.person.job_title = job_title
        current.person.save(update_fields=["job_title"])
    return current


@transaction.atomic
def set_active(*, membership, active: bool, by=None) -> Membership:
    """Deactivate the membership of someone who has left (everything they could see or do
    in the partnership goes; history keeps their name), or re-activate it. A pending
    invitation of someone who left stops working."""
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    _refuse_own_lock_out(current, by, active=active)
    if current.is_active != active:
        current.is_active = active
        current.revision += 1
        current.save(update_fields=["is_active", "revision"])
        if not active:
            current.invitations.filter(accepted_at__isnull=True, replaced_at__isnull=True).update(
                replaced_at=timezone.now()
            )
    return current


# --- Invitations -------------------------------------------------------------------------


def invitation_days() -> int:
    return int(getattr(settings, "CHALLENGE_INVITATION_DAYS", INVITATION_DAYS))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(*, membership, by=None) -> Invitation:
    """E-mail `membership`'s person a new one-time link to set their password; any earlier
    link of theirs stops working. The e-mail is sent by the worker once this is saved."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
        if not current.is_active:
            raise ValidationError("Re-activate this person before inviting them.")
        if not current.person.email:
            raise ValidationError("This person has no e-mail address to invite.")
        if current.person.has_usable_password():
            raise ValidationError(
                f"{current.person.display_name} has a password already: if they have forgotten it, they can "
                "reset it from the sign-in page."
            )
        now = timezone.now()
        current.invitations.filter(replaced_at__isnull=True, accepted_at__isnull=True).update(replaced_at=now)
        invitation = Invitation.objects.create(
            membership=current,
            invited_by=by,
            created_at=now,
            expires_at=now + datetime.timedelta(days=invitation_days()),
            token_hash=secrets.token_hex(32),  # a placeholder no link hashes to, until the row has its id
            recipients=1,
        )
        invitation.token_hash = _hash(invitation_token(invitation))
        invitation.save(update_fields=["token_hash"])
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id=invitation.pk))
    return invitation


def find_invitation(token: str):
    """The invitation whose link carries `token`, or None."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("membership__person", "membership__partnership", "invited_by")
        .filter(token_hash=_hash(token))
        .first()
    )


class InvitationUnusable(Exception):
    def __init__(self, reason):
        self.reason = reason  # "used", "replaced", "expired", "left"
        super().__init__(reason)


def why_unusable(invitation, now=None):
    """Why the link of `invitation` no longer works, or None if it does."""
    if invitation.accepted_at is not None:
        return "used"
    if invitation.replaced_at is not None:
        return "left" if not invitation.membership.is_active else "replaced"
    if not invitation.membership.is_active:
        return "left"
    if invitation.is_expired(now):
        return "expired"
    return None


@transaction.atomic
def accept_invitation(*, invitation, password) -> User:
    """Set the invited person's password from their link, once."""
    current = Invitation.objects.select_for_update().select_related("membership__person").get(pk=invitation.pk)
    reason = why_unusable(current)
    if reason is not None:
        raise InvitationUnusable(reason)
    person = current.membership.person
    person.set_password(password)
    person.is_active = True
    person.save(update_fields=["password", "is_active"])
    current.accepted_at = timezone.now()
    current.save(update_fields=["accepted_at"])
    return person


# --- Bulk add from a CSV file -----------------------------------------------------------

COLUMNS = ["name", "email", "organisation", "job title"]


@dataclass
class PlannedPerson:
    line: int
    name: str
    email: str
    organisation: str
    job_title: str
    partner: Partner | None = None
    outcome: str = "new"  # new, member, existing (an account elsewhere: add a membership), error
    reason: str = ""

    @property
    def first_name(self):
        return self.name.split(" ", 1)[0]

    @property
    def last_name(self):
        parts = self.name.split(" ", 1)
        return parts[1].strip() if len(parts) > 1 else ""

    @property
    def describe(self):
        return {
            "new": "New person",
            "member": "Already a member: nothing to do",
            "existing": "Has an account already: will be added to this partnership (their name is kept)",
            "error": self.reason,
        }[self.outcome]


@dataclass
class PeoplePlan:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line, message) about the file itself

    @property
    def counts(self):
        counts = {"new": 0, "member": 0, "existing": 0, "error": 0}
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def to_add(self):
        return [row for row in self.rows if row.outcome in ("new", "existing")]

    @property
    def ok(self):
        return bool(not self.errors and self.to_add and not any(row.outcome == "error" for row in self.rows))


def _header(name):
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def plan_people(partnership, text: str) -> PeoplePlan:
    """What adding the people of CSV `text` (name, email, organisation, job title) to the
    partnership would do, row by row. Writes nothing."""
    plan = PeoplePlan()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        plan.errors.append((1, "The file is empty."))
        return plan
    columns = [_header(cell) for cell in header]
    if "e mail" in columns:
        columns[columns.index("e mail")] = "email"
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        plan.errors.append((1, "The first line must name the columns: missing " + ", ".join(missing) + "."))
        return plan
    partners = list(Partner.objects.filter(partnership=partnership))
    by_name = {}
    for partner in partners:
        by_name.setdefault(partner.name.casefold(), partner)
        if partner.short_name:
            by_name.setdefault(partner.short_name.casefold(), partner)
    rows, seen = [], {}
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            value = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(columns)}
            rows.append(
                PlannedPerson(
                    line=line,
                    name=" ".join(value["name"].split()),
                    email=value["email"],
                    organisation=value["organisation"],
                    job_title=" ".join(value["job title"].split()),
                )
            )
    except csv.Error as error:
        plan.errors.append((reader.line_num, f"The file is not valid CSV: {error}."))
        return plan
    if not rows:
        plan.errors.append((2, "The file has no people in it."))
        return plan
    # Every account of the file's addresses, whatever their letter case, in one query; and
    # which of them are members already, in another.
    keys = {row.email.lower() for row in rows if row.email}
    accounts = {}
    for account in User.objects.annotate(email_key=Lower("email")).filter(email_key__in=keys).only("pk", "email"):
        accounts.setdefault(account.email.lower(), []).append(account)
    member_ids = set(
        Membership.objects.filter(
            partnership=partnership, person__in=[a.pk for found in accounts.values() for a in found]
        ).values_list("person_id", flat=True)
    )
    members = {key for key, found in accounts.items() if any(a.pk in member_ids for a in found)}
    for row in rows:
        row.outcome, row.reason = _plan_row(row, by_name, accounts, members, seen)
        if row.email:
            seen.setdefault(row.email.lower(), row.line)
    plan.rows = rows
    return plan


def _plan_row(row, by_name, accounts, members, seen):
    if not row.name:
        return "error", "No name."
    if len(row.name) > 300 or len(row.job_title) > 200:
        return "error", "The name or job title is too long."
    if not row.email:
        return "error", "No e-mail address."
    try:
        validate_email(row.email)
    except ValidationError:
        return "error", f"“{row.email}” is not an e-mail address."
    key = row.email.lower()
    if key in seen:
        return "error", f"The same e-mail address as line {seen[key]}."
    if row.organisation:
        row.partner = by_name.get(row.organisation.casefold())
        if row.partner is None:
            return "error", f"“{row.organisation}” is not one of the partnership's organisations."
    else:
        return "error", "No organisation."
    found = accounts.get(key, [])
    if len(found) > 1:
        return "error", "Several accounts use this e-mail address: ask an administrator to add this person."
    if key in members:
        return "member", ""
    if found:
        return "existing", ""
    return "new", ""


class PeopleImportChanged(Exception):
    """Someone was added between the preview and the confirmation."""


def apply_people(partnership, plan: PeoplePlan, *, invite_new=False, by=None) -> dict:
    """Add the people `plan` says to add, all or none; invite the new accounts if asked.
    Raises PeopleImportChanged if someone of the file was added meanwhile."""
    added = []
    with transaction.atomic():
        for row in plan.to_add:
            try:
                result = add_person(
                    partnership=partnership,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    email=row.email,
                    job_title=row.job_title,
                    partner=row.partner,
                )
            except ValidationError as error:
                raise PeopleImportChanged(f"Line {row.line}: {' '.join(error.messages)}") from error
            if result.new_account != (row.outcome == "new"):
                raise PeopleImportChanged(f"Line {row.line}: {row.email} has an account now.")
            added.append(result)
        if invite_new:
            for result in added:
                if result.new_account:
                    invite(membership=result.membership, by=by)
    return {
        "new": sum(1 for a in added if a.new_account),
        "existing": sum(1 for a in added if not a.new_account),
        "invited": sum(1 for a in added if a.new_account) if invite_new else 0,
    }
