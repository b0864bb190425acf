"""Partnerships own partners, areas, question sets and programmes; a person's organisation and
roles move to their Membership of a partnership. Step 1 of 3: the new tables, and the new
columns empty (0004 fills them, 0005 makes them required and drops the old ones)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import challenge.validators


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_default_question_set"),
    ]

    operations = [
        migrations.CreateModel(
            name="Partnership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(max_length=200, unique=True, validators=[challenge.validators.NoLineBreaks()]),
                ),
                ("slug", models.SlugField(max_length=100, unique=True)),
                ("description", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="partner",
            name="partnership",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="partners",
                to="programmes.partnership",
            ),
        ),
        # Names are unique within a partnership now, no longer across the installation.
        migrations.AlterField(
            model_name="partner",
            name="name",
            field=models.CharField(max_length=200, validators=[challenge.validators.NoLineBreaks()]),
        ),
        migrations.AddConstraint(
            model_name="partner",
            constraint=models.UniqueConstraint(
                fields=("partnership", "name"),
                name="unique_partner_name_per_partnership",
                violation_error_message="The partnership already has a partner organisation of this name.",
            ),
        ),
        migrations.AddField(
            model_name="thematicarea",
            name="partnership",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="areas",
                to="programmes.partnership",
            ),
        ),
        migrations.AlterField(
            model_name="thematicarea",
            name="name",
            field=models.CharField(max_length=200, validators=[challenge.validators.NoLineBreaks()]),
        ),
        migrations.AddConstraint(
            model_name="thematicarea",
            constraint=models.UniqueConstraint(
                fields=("partnership", "name"),
                name="unique_area_name_per_partnership",
                violation_error_message="The partnership already has an area of this name.",
            ),
        ),
        migrations.AddField(
            model_name="questionset",
            name="partnership",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for a standard set of the installation, which new partnerships copy.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="question_sets",
                to="programmes.partnership",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="questionset",
            name="unique_question_set_version",
        ),
        migrations.AddConstraint(
            model_name="questionset",
            constraint=models.UniqueConstraint(
                fields=("partnership", "family", "version"),
                name="unique_question_set_version",
                violation_error_message="The partnership already has this version of the question set.",
            ),
        ),
        migrations.AddConstraint(
            model_name="questionset",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partnership__isnull", True)),
                fields=("family", "version"),
                name="unique_standard_question_set_version",
                violation_error_message="The installation already has this version of the standard question set.",
            ),
        ),
        migrations.AddField(
            model_name="programme",
            name="partnership",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="programmes",
                to="programmes.partnership",
            ),
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "is_facilitator",
                    models.BooleanField(
                        default=False,
                        help_text="Sets the partnership up (people, areas, indicators, question sets, programmes) "
                        "and manages every one of its programmes.",
                        verbose_name="partnership facilitator",
                    ),
                ),
                (
                    "is_officer",
                    models.BooleanField(
                        default=False,
                        help_text="Officers (executive, cabinet support, scrutiny) read every programme of this "
                        "partnership, its schedule and results, and download self-evaluations, without taking part.",
                        verbose_name="officer",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Untick when someone leaves: history keeps their name.",
                        verbose_name="active",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty only for someone who works for none of the partners, e.g. an administrator.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="programmes.partner",
                        verbose_name="partner organisation",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="programmes.partnership",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["partnership", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("partnership", "person"),
                        name="one_membership_per_person_per_partnership",
                        violation_error_message="This person already belongs to the partnership.",
                    )
                ],
            },
        ),
    ]
