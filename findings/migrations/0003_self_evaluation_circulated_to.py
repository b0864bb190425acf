from django.db import migrations, models


def record_past_circulations(apps, schema_editor):
    """Versions circulated before this was recorded went to every partner with a contact
    address (as `send_draft_circulated` then did): record those partners."""
    SelfEvaluation = apps.get_model("findings", "SelfEvaluation")
    Partner = apps.get_model("challenge", "Partner")
    partners = list(Partner.objects.exclude(contact_email=""))
    if not partners:
        return
    for se in SelfEvaluation.objects.filter(circulated_at__isnull=False).only("pk"):
        se.circulated_to.set(partners)


class Migration(migrations.Migration):

    dependencies = [
        ("challenge", "0001_initial"),
        ("findings", "0002_refuse_line_breaks_in_titles"),
    ]

    operations = [
        migrations.AddField(
            model_name="selfevaluation",
            name="circulated_to",
            field=models.ManyToManyField(blank=True, related_name="+", to="challenge.partner"),
        ),
        migrations.RunPython(record_past_circulations, migrations.RunPython.noop),
    ]
