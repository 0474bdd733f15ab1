# The Recall model comes from the federation app with its table,
# "federation_recall", and its rows: only Django's state changes.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0004_move_recall_to_voting"),
        ("voting", "0007_poll_question_code"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Recall",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.TextField(max_length=4000, verbose_name="reason")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("voting", "Voting"),
                                    ("passed", "Passed"),
                                    ("failed", "Failed"),
                                ],
                                default="voting",
                                max_length=16,
                                verbose_name="state",
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="started"
                            ),
                        ),
                        (
                            "mandate",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recalls",
                                to="federation.mandate",
                                verbose_name="mandate",
                            ),
                        ),
                        (
                            "poll",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="recall",
                                to="voting.poll",
                                verbose_name="poll",
                            ),
                        ),
                        (
                            "started_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="started by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "recall",
                        "verbose_name_plural": "recalls",
                        "db_table": "federation_recall",
                        "ordering": ["-started_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("state__in", ["voting", "passed", "failed"])),
                                name="federation_recall_state_valid",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
