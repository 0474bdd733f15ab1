"""Look-alike keys of pseudonyms, unique (see asamblea/accounts/pseudonyms.py).

Existing members get their keys oldest first. A member whose pseudonym already
looked like an older member's keeps it but gets no key in that column (NULL),
so that the older member's key stays and newcomers still collide with it.
"""

from django.db import migrations, models

from asamblea.accounts import pseudonyms


def fill_keys(apps, schema_editor):
    Member = apps.get_model("accounts", "Member")
    seen_folded: set[str] = set()
    seen_shape: set[str] = set()
    for member in Member.objects.order_by("date_joined", "pk").only("pk", "pseudonym"):
        folded = pseudonyms.folded_key(member.pseudonym)
        shape = pseudonyms.shape_key(member.pseudonym)
        Member.objects.filter(pk=member.pk).update(
            pseudonym_folded=None if folded in seen_folded else folded,
            pseudonym_shape=None if shape in seen_shape else shape,
        )
        seen_folded.add(folded)
        seen_shape.add(shape)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_attempt_counter_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="pseudonym_folded",
            field=models.TextField(editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="member",
            name="pseudonym_shape",
            field=models.TextField(editable=False, null=True, unique=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
