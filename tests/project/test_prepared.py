"""challenge/prepared.py: a query whose SQL is built once gives what its queryset gives."""

import datetime

import pytest
from django.db.models import Prefetch

from challenge.prepared import PreparedQuery
from programmes.models import Membership, Notice, NoticeKind, Programme
from sessions.models import ChallengeSession
from sessions.permissions import sessions_with_context
from tests import factories as f

SESSION = PreparedQuery(lambda pk: sessions_with_context().filter(pk=pk), pk=int)
MEMBERSHIPS = PreparedQuery(
    lambda person: (
        Membership.objects.filter(person_id=person)
        .select_related("partner", "partnership")
        .annotate(unread_notices=Notice.unread_count_for_membership())
    ),
    person=int,
)
PROGRAMME = PreparedQuery(
    lambda slug: Programme.objects.select_related("question_set", "partnership", "previous").filter(slug=slug),
    slug=str,
)
SESSIONS_OF = PreparedQuery(
    lambda programme, facilitator: (
        ChallengeSession.objects.filter(programme_id=programme, facilitator_id=facilitator)
        .select_related("facilitator")
        .order_by("date", "pk")
    ),
    programme=int,
    facilitator=int,
)


def fields(obj, *related):
    """Every loaded field and annotation of `obj`, and of the related objects named."""
    values = {k: v for k, v in obj.__dict__.items() if not k.startswith("_")}
    for name in related:
        target = obj
        for part in name.split("."):
            target = getattr(target, part)
        values[name] = None if target is None else fields(target)
    return values


def test_the_same_instances_as_the_queryset_with_related_objects_and_annotations(world, django_assert_num_queries):
    world.session.closed_by = world.facilitator
    world.session.save()
    with django_assert_num_queries(1):
        prepared = SESSION.one(pk=world.session.pk)
    with django_assert_num_queries(1):
        plain = sessions_with_context().get(pk=world.session.pk)
    related = ("programme", "programme.partnership", "facilitator", "question_set", "closed_by")
    assert fields(prepared, *related) == fields(plain, *related)
    assert prepared.facilitator_partner_label == "SCC"
    assert prepared.date == datetime.date(2009, 5, 8)  # the database's text became a date


def test_each_run_binds_its_own_values(world):
    other = f.session(world.programme, areas=[world.safer_city], facilitator=world.facilitator, title="Safer city")
    assert SESSION.one(pk=world.session.pk).title == "Safeguarding children"
    assert SESSION.one(pk=other.pk).title == "Safer city"
    assert SESSION.one(pk=world.session.pk).title == "Safeguarding children"
    assert SESSION.one(pk=other.pk + 1000) is None


def test_memberships_with_their_unread_count(world):
    Notice.objects.create(
        person=world.reviewer, partnership=world.programme.partnership, kind=NoticeKind.CHALLENGE, text="t", url="/"
    )
    for person in (world.reviewer, world.facilitator):
        prepared = MEMBERSHIPS.all(person=person.pk)
        plain = list(
            Membership.objects.filter(person_id=person.pk)
            .select_related("partner", "partnership")
            .annotate(unread_notices=Notice.unread_count_for_membership())
        )
        assert [fields(m, "partner", "partnership") for m in prepared] == [
            fields(m, "partner", "partnership") for m in plain
        ]
    assert [m.unread_notices for m in MEMBERSHIPS.all(person=world.reviewer.pk)] == [1]


def test_text_values_several_values_and_several_rows(world):
    assert PROGRAMME.one(slug="caa-2009").pk == world.programme.pk
    assert PROGRAMME.one(slug="caa-2009").partnership.pk == world.programme.partnership_id
    assert PROGRAMME.one(slug="no-such-programme") is None
    # A value that looks like SQL is a parameter like any other.
    assert PROGRAMME.one(slug="caa-2009' OR '1'='1") is None
    later = f.session(world.programme, facilitator=world.facilitator, date=datetime.date(2009, 9, 1))
    rows = SESSIONS_OF.all(programme=world.programme.pk, facilitator=world.facilitator.pk)
    assert [s.pk for s in rows] == [world.session.pk, later.pk]
    assert rows[0].facilitator.username == "facilitator"
    assert SESSIONS_OF.all(programme=world.programme.pk, facilitator=world.reviewer.pk) == []


def test_an_id_no_column_can_hold_finds_nothing_without_asking(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert SESSION.one(pk=10**23) is None


def test_refuses_what_it_cannot_bind(db):
    with pytest.raises(TypeError):
        SESSION.one(pk="1")
    with pytest.raises(TypeError):
        SESSION.one(id=1)
    rewritten = PreparedQuery(lambda name: Programme.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ValueError, match="not a plain parameter"):
        rewritten.all(name="CAA")
    prefetching = PreparedQuery(
        lambda pk: ChallengeSession.objects.filter(pk=pk).prefetch_related(Prefetch("areas")), pk=int
    )
    with pytest.raises(TypeError, match="prefetch_related"):
        prefetching.all(pk=1)


SESSIONS_FROM = PreparedQuery(
    lambda programme, day: ChallengeSession.objects.filter(programme_id=programme, date__gte=day).order_by("date"),
    programme=int,
    day=datetime.date,
)


def test_dates_are_bound_as_the_backend_binds_them(world):
    later = f.session(world.programme, facilitator=world.facilitator, date=datetime.date(2009, 9, 1))
    assert [s.pk for s in SESSIONS_FROM.all(programme=world.programme.pk, day=datetime.date(2009, 5, 8))] == [
        world.session.pk,
        later.pk,
    ]
    assert [s.pk for s in SESSIONS_FROM.all(programme=world.programme.pk, day=datetime.date(2009, 5, 9))] == [later.pk]
    assert SESSIONS_FROM.all(programme=world.programme.pk, day=datetime.date(2010, 1, 1)) == []
    with pytest.raises(TypeError):  # a moment is not a day
        SESSIONS_FROM.all(programme=world.programme.pk, day=datetime.datetime(2009, 5, 8, 12, 0))
