"""Step 3 of 3 (see 0003): every partner, area and programme has its partnership; a person's
organisation and officer flag live on their memberships only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0004_fill_partnerships"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="programme",
            name="partnership_name",
        ),
        migrations.RemoveField(
            model_name="user",
            name="is_officer",
        ),
        migrations.RemoveField(
            model_name="user",
            name="partner",
        ),
        migrations.AlterField(
            model_name="partner",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="partners", to="programmes.partnership"
            ),
        ),
        migrations.AlterField(
            model_name="programme",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="programmes", to="programmes.partnership"
            ),
        ),
        migrations.AlterField(
            model_name="thematicarea",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="areas", to="programmes.partnership"
            ),
        ),
    ]
