"""Step 2 of 3 (see 0003): put what exists into partnerships.

- One Partnership per distinct `Programme.partnership_name` ("Salford City Partnership" where
  it is empty, or when there are partners, areas or people but no programme yet). The first
  of them (that default if it is one of them, else the earliest programme's) is the main one.
- Each programme goes into its own; each area into that of the earliest programme reviewing
  it (the main one if none does); every partner into the main one.
- A Membership of the main partnership for every person with a partner organisation or the
  officer flag (partner and officer flag copied; administrators without a partner get none),
  and of every other partnership whose programmes they facilitate, take part in or own an
  action in, or whose areas they lead. A partner needed in another partnership (it leads an
  area there, or its people take part there) is copied into it, and that partnership's rows
  point at the copy: areas' lead organisations, actions' owner organisations, the partners
  a self-evaluation was circulated to.
- A question set used by the programmes and sessions of exactly one partnership goes into it,
  as does a set nobody uses yet (into the main one), except the standard CAA methodology
  installed by 0002, which stays the installation's standard set (no partnership) for new
  partnerships to copy; if a partnership used it, it is that partnership's now and a fresh
  copy becomes the standard one. A set used by several partnerships stays standard, so each
  keeps using it.

In practice an installation has one partnership, and everything lands in it."""

from collections import defaultdict

from django.db import migrations
from django.utils.text import slugify

DEFAULT_NAME = "Salford City Partnership"
STANDARD_FAMILY = "caa-challenge-methodology"


def _slug(name, taken):
    base = slugify(name)[:90] or "partnership"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def forwards(apps, schema_editor):
    Partnership = apps.get_model("programmes", "Partnership")
    Partner = apps.get_model("programmes", "Partner")
    User = apps.get_model("programmes", "User")
    Membership = apps.get_model("programmes", "Membership")
    ThematicArea = apps.get_model("programmes", "ThematicArea")
    QuestionSet = apps.get_model("programmes", "QuestionSet")
    Section = apps.get_model("programmes", "Section")
    Question = apps.get_model("programmes", "Question")
    Programme = apps.get_model("programmes", "Programme")
    ChallengeSession = apps.get_model("challenge_sessions", "ChallengeSession")
    Participant = apps.get_model("challenge_sessions", "Participant")
    Action = apps.get_model("findings", "Action")
    SelfEvaluation = apps.get_model("evaluations", "SelfEvaluation")

    programmes = list(Programme.objects.order_by("start_date", "pk"))
    names = []
    for programme in programmes:
        name = (programme.partnership_name or "").strip() or DEFAULT_NAME
        if name not in names:
            names.append(name)
    if not names:
        anything = (
            Partner.objects.exists()
            or ThematicArea.objects.exists()
            or User.objects.filter(partner__isnull=False).exists()
            or User.objects.filter(is_officer=True).exists()
        )
        if not anything:
            return  # a fresh installation: partnerships are made when wanted
        names = [DEFAULT_NAME]
    if DEFAULT_NAME in names:
        names.remove(DEFAULT_NAME)
        names.insert(0, DEFAULT_NAME)
    taken = set(Partnership.objects.values_list("slug", flat=True))
    partnerships = {name: Partnership.objects.create(name=name, slug=_slug(name, taken)) for name in names}
    main = partnerships[names[0]]

    # Programmes, then areas by the earliest programme that reviews them.
    programme_partnership = {}
    for programme in programmes:
        partnership = partnerships[(programme.partnership_name or "").strip() or DEFAULT_NAME]
        Programme.objects.filter(pk=programme.pk).update(partnership=partnership)
        programme_partnership[programme.pk] = partnership.pk
    area_partnership = {}
    Through = Programme.areas.through
    for row in Through.objects.order_by("programme__start_date", "programme_id").values(
        "thematicarea_id", "programme_id"
    ):
        area_partnership.setdefault(row["thematicarea_id"], programme_partnership[row["programme_id"]])
    areas = list(ThematicArea.objects.all())
    for area in areas:
        area.partnership_id = area_partnership.setdefault(area.pk, main.pk)

    # Who is connected to which partnership, besides everyone with a partner to the main one.
    connected = defaultdict(set)  # partnership id -> person ids
    for row in Programme.facilitators.through.objects.values("programme_id", "user_id"):
        connected[programme_partnership[row["programme_id"]]].add(row["user_id"])
    for row in ChallengeSession.objects.values("programme_id", "facilitator_id"):
        connected[programme_partnership[row["programme_id"]]].add(row["facilitator_id"])
    for row in Participant.objects.values("session__programme_id", "person_id"):
        connected[programme_partnership[row["session__programme_id"]]].add(row["person_id"])
    for row in Action.objects.values("finding__session__programme_id", "owner_id"):
        connected[programme_partnership[row["finding__session__programme_id"]]].add(row["owner_id"])
    for area in areas:
        if area.lead_officer_id:
            connected[area.partnership_id].add(area.lead_officer_id)

    # Partners: all in the main partnership; a copy in each other one that needs them.
    Partner.objects.update(partnership=main)
    partners = {partner.pk: partner for partner in Partner.objects.all()}
    people = {person.pk: person for person in User.objects.all()}
    copies = {}  # (partner id, partnership id) -> partner id there

    def partner_in(partner_id, partnership_id):
        if partner_id is None:
            return None
        if partnership_id == main.pk:
            return partner_id
        key = (partner_id, partnership_id)
        if key not in copies:
            original = partners[partner_id]
            copies[key] = Partner.objects.create(
                partnership_id=partnership_id,
                name=original.name,
                short_name=original.short_name,
                kind=original.kind,
                contact_email=original.contact_email,
            ).pk
        return copies[key]

    for area in areas:
        area.lead_partner_id = partner_in(area.lead_partner_id, area.partnership_id)
        ThematicArea.objects.filter(pk=area.pk).update(
            partnership_id=area.partnership_id, lead_partner_id=area.lead_partner_id
        )
    for action in Action.objects.values("pk", "owner_partner_id", "finding__session__programme_id"):
        there = partner_in(action["owner_partner_id"], programme_partnership[action["finding__session__programme_id"]])
        if there != action["owner_partner_id"]:
            Action.objects.filter(pk=action["pk"]).update(owner_partner_id=there)
    Circulated = SelfEvaluation.circulated_to.through
    for row in Circulated.objects.values("pk", "partner_id", "selfevaluation__programme_id"):
        there = partner_in(row["partner_id"], programme_partnership[row["selfevaluation__programme_id"]])
        if there != row["partner_id"]:
            Circulated.objects.filter(pk=row["pk"]).update(partner_id=there)

    # Memberships.
    members = defaultdict(set)
    for person in people.values():
        if person.partner_id is not None or (person.is_officer and not person.is_superuser):
            members[main.pk].add(person.pk)
    for partnership_id, person_ids in connected.items():
        for person_id in person_ids:
            person = people[person_id]
            if person.is_superuser and person.partner_id is None:
                continue  # an administrator of the installation, not a member
            members[partnership_id].add(person_id)
    Membership.objects.bulk_create(
        Membership(
            partnership_id=partnership_id,
            person_id=person_id,
            partner_id=partner_in(people[person_id].partner_id, partnership_id),
            is_officer=people[person_id].is_officer,
        )
        for partnership_id in sorted(members)
        for person_id in sorted(members[partnership_id])
    )

    # Question sets.
    used = defaultdict(set)
    for row in Programme.objects.values("question_set_id", "partnership_id"):
        used[row["question_set_id"]].add(row["partnership_id"])
    for row in ChallengeSession.objects.values("question_set_id", "programme_id"):
        used[row["question_set_id"]].add(programme_partnership[row["programme_id"]])
    for question_set in QuestionSet.objects.order_by("pk"):
        owners = used.get(question_set.pk, set())
        standard = question_set.family == STANDARD_FAMILY and question_set.version == 1
        if len(owners) == 1:
            QuestionSet.objects.filter(pk=question_set.pk).update(partnership_id=owners.pop())
        elif not owners and not standard:
            QuestionSet.objects.filter(pk=question_set.pk).update(partnership_id=main.pk)
    if not QuestionSet.objects.filter(family=STANDARD_FAMILY, partnership__isnull=True).exists():
        original = QuestionSet.objects.filter(family=STANDARD_FAMILY).order_by("version", "pk").first()
        if original is not None:
            copy = QuestionSet.objects.create(
                family=original.family,
                name=original.name,
                version=original.version,
                description=original.description,
            )
            for section in Section.objects.filter(question_set=original).order_by("position", "pk"):
                new_section = Section.objects.create(
                    question_set=copy, title=section.title, description=section.description, position=section.position
                )
                Question.objects.bulk_create(
                    Question(
                        section=new_section,
                        text=question.text,
                        guidance=question.guidance,
                        answer_kind=question.answer_kind,
                        position=question.position,
                    )
                    for question in Question.objects.filter(section=section).order_by("position", "pk")
                )


def backwards(apps, schema_editor):
    """Back to one pool: each person's organisation and officer flag from their first
    membership, each programme's partnership's name in its text field. Copies of partners
    made for other partnerships stay (their rows are not merged back)."""
    Membership = apps.get_model("programmes", "Membership")
    User = apps.get_model("programmes", "User")
    Programme = apps.get_model("programmes", "Programme")
    QuestionSet = apps.get_model("programmes", "QuestionSet")
    # The standard set copied back (see forwards): one version per family again.
    for standard in QuestionSet.objects.filter(partnership__isnull=True):
        duplicated = QuestionSet.objects.filter(
            family=standard.family, version=standard.version, partnership__isnull=False
        ).exists()
        if duplicated and not standard.programmes.exists() and not standard.sessions.exists():
            standard.delete()
    for membership in Membership.objects.order_by("-pk"):
        User.objects.filter(pk=membership.person_id).update(
            partner_id=membership.partner_id, is_officer=membership.is_officer
        )
    for programme in Programme.objects.select_related("partnership"):
        if programme.partnership_id:
            Programme.objects.filter(pk=programme.pk).update(partnership_name=programme.partnership.name)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_partnerships"),
        # Read to place people and partners: who takes part where.
        ("challenge_sessions", "0001_initial"),
        ("findings", "0001_initial"),
        ("evaluations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
