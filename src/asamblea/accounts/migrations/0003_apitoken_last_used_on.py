"""Keep the day of a token's last use, never its time (which dated each vote)."""

import datetime

from django.db import migrations, models


def keep_the_day(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(last_used_at__isnull=False).only("last_used_at"):
        day = token.last_used_at.astimezone(datetime.timezone.utc).date()
        ApiToken.objects.filter(pk=token.pk).update(last_used_on=day)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="last_used_on",
            field=models.DateField(blank=True, null=True, verbose_name="last used"),
        ),
        migrations.RunPython(keep_the_day, migrations.RunPython.noop),
        migrations.RemoveField(model_name="apitoken", name="last_used_at"),
    ]
