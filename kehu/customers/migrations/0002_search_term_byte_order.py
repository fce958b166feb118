from django.db import migrations


def byte_order_collation(apps, schema_editor):
    # Prefix search is a range scan (term >= q AND term < q || U+10FFFF); that range is only
    # contiguous under byte-wise ordering. SQLite's default BINARY collation already is;
    # on PostgreSQL a linguistic collation (en_US.UTF-8, …) would not be.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE customers_searchterm ALTER COLUMN term TYPE varchar(64) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(byte_order_collation, migrations.RunPython.noop)]
