# The in-app question set editor (issue 13, B3): a revision for optimistic locking and the
# token of the "make a new version" form that created a version.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0007_programme_status_and_previous_cycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="questionset",
            name="revision",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="questionset",
            name="submission_token",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
    ]
