# Motions at a region or the assembly need seconds from members of at least
# two committees; below, one committee is enough.

from django.db import migrations, models
from django.db.models import Q


def wide_nodes_need_two_committees(apps, schema_editor):
    Node = apps.get_model("federation", "Node")
    Node.objects.filter(kind__in=["assembly", "region"]).update(seconding_committees=2)


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0004_move_recall_to_voting"),
    ]

    operations = [
        migrations.AddField(
            model_name="node",
            name="seconding_committees",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text=(
                    "From how many different committees the seconds of a motion here must come."
                ),
                verbose_name="committees among the seconders",
            ),
        ),
        migrations.AddConstraint(
            model_name="node",
            constraint=models.CheckConstraint(
                condition=Q(seconding_committees__lte=100),
                name="federation_node_seconding_committees_range",
            ),
        ),
        migrations.RunPython(wide_nodes_need_two_committees, migrations.RunPython.noop),
    ]
