"""API tokens gain scopes and an optional expiry.

Tokens made before this migration had full access (scopes did not exist), so every existing
token is given every scope — read, write, export and admin — and no expiry: scripts using
them keep working exactly as before. Their owners can revoke them and make narrower ones.
New tokens get only the scopes chosen when they are created.
"""

from django.db import migrations, models

# Spelled out rather than imported: a migration must not change when the model's list does.
ALL_SCOPES_AT_THIS_MIGRATION = ["read", "write", "export", "admin"]


def give_existing_tokens_every_scope(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.update(scopes=ALL_SCOPES_AT_THIS_MIGRATION)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_two_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(default=list, verbose_name="scopes"),
        ),
        migrations.RunPython(give_existing_tokens_every_scope, migrations.RunPython.noop),
    ]
