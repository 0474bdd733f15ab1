"""Amendments are numbered within their motion (1, 2, 3...), in the order they
were proposed; existing ones are numbered here the same way."""

from django.db import migrations, models


def number_existing(apps, schema_editor):
    Amendment = apps.get_model("motions", "Amendment")
    counters: dict[int, int] = {}
    for amendment in Amendment.objects.order_by("motion_id", "created_at", "pk").only(
        "pk", "motion_id"
    ):
        counters[amendment.motion_id] = counters.get(amendment.motion_id, 0) + 1
        Amendment.objects.filter(pk=amendment.pk).update(number=counters[amendment.motion_id])


class Migration(migrations.Migration):
    dependencies = [
        ("motions", "0004_amendment_state_reason_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="amendment",
            name="number",
            field=models.PositiveIntegerField(null=True, verbose_name="number"),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="amendment",
            name="number",
            field=models.PositiveIntegerField(verbose_name="number"),
        ),
        migrations.AddConstraint(
            model_name="amendment",
            constraint=models.CheckConstraint(
                condition=models.Q(("number__gte", 1)), name="motions_amendment_number_from_1"
            ),
        ),
        migrations.AddConstraint(
            model_name="amendment",
            constraint=models.UniqueConstraint(
                fields=("motion", "number"), name="motions_amendment_number_unique"
            ),
        ),
    ]
