# Programme cycles (issue 13, B4): a programme's status, the cycle it was rolled forward
# from, its revision (stale edits) and the token of the form that created it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0006_people_and_invitations"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="previous",
            field=models.ForeignKey(
                blank=True,
                help_text="The programme this one was rolled forward from.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="next_cycles",
                to="programmes.programme",
                verbose_name="previous cycle",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="revision",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="programme",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft: being prepared, seen only by the partnership's facilitators"),
                    ("active", "Active"),
                    ("closed", "Closed"),
                ],
                default="active",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="submission_token",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.UniqueConstraint(
                fields=("previous",),
                name="one_next_cycle_per_programme",
                violation_error_message="This programme has already been rolled forward.",
            ),
        ),
    ]
