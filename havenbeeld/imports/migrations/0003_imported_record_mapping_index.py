"""A row record's mapping is indexed by ``unique_row_key_per_mapping`` (mapping, row key), of
which the foreign key's own index on the mapping was a prefix: one index entry per imported row
fewer. Dropped by name (Django's name for it on every backend), so SQLite does not rebuild the
table as a field alteration would."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "imports_importedrecord_mapping_id_a2e6ff46"


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0002_external_records'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="importedrecord", name="mapping",
                field=models.ForeignKey(db_index=False,
                                        on_delete=django.db.models.deletion.CASCADE,
                                        related_name="records", to="imports.columnmapping"))],
            database_operations=[migrations.RunSQL(
                f'DROP INDEX "{INDEX}"',
                reverse_sql=f'CREATE INDEX "{INDEX}" ON "imports_importedrecord" ("mapping_id")')],
        ),
    ]
