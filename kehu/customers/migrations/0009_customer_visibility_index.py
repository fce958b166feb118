from django.db import migrations

# Who may see a customer depends on its owner and team (kehu.customers.selectors.visible_to).
# With both beside the id in one index, PostgreSQL settles which of a search's candidates a
# salesperson may see — and counts them — from the index alone (an index-only scan), where
# it otherwise read each candidate's row: 6,500 scattered heap reads for one surname in an
# archive of 1,000,000 (benchmarks/search.py). SQLite keeps its rows in id order already,
# so a lookup by id there reads the row directly and needs no second index.
CREATE = "CREATE INDEX customer_visibility ON customers_customer (id) INCLUDE (owner_id, team_id)"
DROP = "DROP INDEX IF EXISTS customer_visibility"


def create_visibility_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_visibility_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_search_term_customer_term_index")]
    operations = [migrations.RunPython(create_visibility_index, drop_visibility_index)]
