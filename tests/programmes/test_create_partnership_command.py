"""`manage.py create_partnership`: a new partnership on the installation, with its first
facilitator invited, so that nobody needs the admin to start one."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from programmes.models import Membership, Partnership, QuestionSet

pytestmark = pytest.mark.django_db


def _run(*args, **options):
    from io import StringIO

    out = StringIO()
    call_command("create_partnership", *args, stdout=out, **options)
    return out.getvalue()


def test_it_makes_the_partnership_and_invites_its_first_facilitator(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = _run(
            "Wessex Community Safety Partnership",
            facilitator="sam.jones@wessex.example",
            first_name="Sam",
            last_name="Jones",
            organisation="Wessex County Council",
        )
    partnership = Partnership.objects.get(name="Wessex Community Safety Partnership")
    membership = Membership.objects.get(partnership=partnership)
    assert membership.is_facilitator and membership.is_active
    assert membership.partner.name == "Wessex County Council"
    assert not membership.person.has_usable_password()
    assert QuestionSet.objects.filter(partnership=partnership).exists()  # its own copy
    assert "/partnerships/wessex-community-safety-partnership/" in output
    link = output.strip().splitlines()[-1].strip()
    assert "/invitations/" in link
    assert [message.to for message in mail.outbox] == [["sam.jones@wessex.example"]]
    assert link in mail.outbox[0].body


def test_a_name_taken_or_a_bad_address_is_refused_and_nothing_is_made():
    with pytest.raises(CommandError, match="Enter a valid email address"):
        _run("New Partnership", facilitator="not-an-address", first_name="A", last_name="B")
    assert not Partnership.objects.filter(name="New Partnership").exists()
    _run("New Partnership", facilitator="a.b@example.org", first_name="A", last_name="B")
    with pytest.raises(CommandError, match="exists already"):
        _run("new partnership", facilitator="c.d@example.org", first_name="C", last_name="D")
