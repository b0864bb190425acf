"""Comment.author_partner: each comment's author's organisation in the session's partnership, as
their membership says now (0004 of programmes made it from their old organisation)."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Model = apps.get_model("workspace", "Comment")
    Membership = apps.get_model("programmes", "Membership")
    partners = {
        (row["partnership_id"], row["person_id"]): row["partner_id"]
        for row in Membership.objects.filter(partner__isnull=False).values("partnership_id", "person_id", "partner_id")
    }
    by_partner = defaultdict(list)
    for row in Model.objects.values("pk", "author_id", "session__programme__partnership_id"):
        partner = partners.get((row["session__programme__partnership_id"], row["author_id"]))
        if partner is not None:
            by_partner[partner].append(row["pk"])
    for partner, pks in by_partner.items():
        Model.objects.filter(pk__in=pks).update(author_partner_id=partner)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0004_fill_partnerships"),
        ("workspace", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="author_partner",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.partner",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
