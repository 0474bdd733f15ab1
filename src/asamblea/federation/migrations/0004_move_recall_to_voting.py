# The Recall model moves to the voting app (a recall is a vote); its table,
# "federation_recall", and its rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    # After every voting migration that still reads federation.Recall.
    dependencies = [
        ("federation", "0003_check_constraints"),
        ("voting", "0007_poll_question_code"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Recall")],
            database_operations=[],
        ),
    ]
