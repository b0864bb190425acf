import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("findings", "0003_self_evaluation_circulated_to"),
    ]

    operations = [
        migrations.CreateModel(
            name="CirculationEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=[("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed")], default="queued", max_length=20)),
                ("recipients", models.PositiveIntegerField(default=0, help_text="How many e-mails were tried.")),
                ("sent", models.PositiveIntegerField(default=0, help_text="How many of them went.")),
                ("error", models.TextField(blank=True, help_text="What failed, one line per e-mail.")),
                ("queued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("self_evaluation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="circulation_emails", to="findings.selfevaluation")),
            ],
            options={
                "ordering": ["self_evaluation", "-queued_at", "-id"],
            },
        ),
    ]
