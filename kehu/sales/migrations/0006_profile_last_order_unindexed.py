from django.db import migrations, models

INDEX = "sales_consumptionprofile_last_order_at_4ba87578"


class Migration(migrations.Migration):
    """Drops the profile's `last_order_at` index. SQLite's AlterField would rebuild the
    whole table (a million rows) to drop an index; both databases take DROP INDEX."""

    dependencies = [
        ("sales", "0005_line_customer_through_order"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "sales_consumptionprofile" ("last_order_at")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="consumptionprofile",
                    name="last_order_at",
                    field=models.DateTimeField(null=True),
                ),
            ],
        ),
    ]
