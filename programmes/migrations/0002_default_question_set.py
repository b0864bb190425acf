"""Every fresh install starts with the Salford methodology as its question set."""

from django.db import migrations

# The questions come from programmes.methodology, which holds nothing but data. If that module
# ever changes shape, copy its present contents into this file first.
FAMILY = "caa-challenge-methodology"
NAME = "CAA challenge methodology"


def create_default_question_set(apps, schema_editor):
    from programmes import methodology

    QuestionSet = apps.get_model("programmes", "QuestionSet")
    Section = apps.get_model("programmes", "Section")
    Question = apps.get_model("programmes", "Question")
    if QuestionSet.objects.filter(family=FAMILY).exists():
        return
    qs = QuestionSet.objects.create(family=FAMILY, name=NAME, version=1, description=methodology.DESCRIPTION)
    for s_pos, section in enumerate(methodology.SECTIONS, start=1):
        sec = Section.objects.create(
            question_set=qs,
            title=section["title"],
            description=section["description"],
            position=s_pos,
        )
        for q_pos, (text, guidance, kind) in enumerate(section["questions"], start=1):
            Question.objects.create(section=sec, text=text, guidance=guidance, answer_kind=kind, position=q_pos)


def remove_default_question_set(apps, schema_editor):
    QuestionSet = apps.get_model("programmes", "QuestionSet")
    QuestionSet.objects.filter(family=FAMILY, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [
        migrations.RunPython(create_default_question_set, remove_default_question_set),
    ]
