"""Participant.partner: each participant's organisation in the programme's partnership, as their
membership says now (0004 of programmes made the memberships from their old organisation)."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Model = apps.get_model("challenge_sessions", "Participant")
    Membership = apps.get_model("programmes", "Membership")
    partners = {
        (row["partnership_id"], row["person_id"]): row["partner_id"]
        for row in Membership.objects.filter(partner__isnull=False).values("partnership_id", "person_id", "partner_id")
    }
    by_partner = defaultdict(list)
    for row in Model.objects.values("pk", "person_id", "session__programme__partnership_id"):
        partner = partners.get((row["session__programme__partnership_id"], row["person_id"]))
        if partner is not None:
            by_partner[partner].append(row["pk"])
    for partner, pks in by_partner.items():
        Model.objects.filter(pk__in=pks).update(partner_id=partner)


class Migration(migrations.Migration):
    dependencies = [
        ("challenge_sessions", "0001_initial"),
        ("programmes", "0004_fill_partnerships"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.partner",
                verbose_name="partner organisation",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
