"""Pieces cost fewer index entries: every index is maintained at every insert, and the import
writes millions of pieces.

- ``target``, ``group`` and ``corrects`` are empty in most pieces (only relations, group
  distribution and corrections set them), yet their foreign keys' own indexes held an entry for
  every piece. They are replaced by indexes of the pieces where they are set; a lookup by value
  implies that, so the same queries use them.
- PostgreSQL: Django gives a unique text column a second index for ``LIKE`` queries
  (``…_like``, ``varchar_pattern_ops``). Nothing looks up a piece's idempotency key but by
  equality, which the unique index serves: it is dropped.

The foreign keys' indexes are dropped by name (Django's name for them on every backend), so
SQLite does not rebuild the table as a field alteration would.
"""

import django.db.models.deletion
from django.db import migrations, models

FK_INDEXES = {  # field: index
    "target": "registry_piece_target_id_c002b093",
    "group": "registry_piece_group_id_25978cba",
    "corrects": "registry_piece_corrects_id_87dacec9",
}
FIELDS = {
    "target": models.ForeignKey(
        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
        related_name="incoming", to="registry.registryobject", verbose_name="related object"),
    "group": models.ForeignKey(
        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
        related_name="pieces", to="sharing.collaborationgroup",
        verbose_name="collaboration group"),
    "corrects": models.ForeignKey(
        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
        related_name="corrections", to="registry.piece", verbose_name="corrects"),
}
LIKE_INDEX = "registry_piece_idempotency_key_6fc5cd7f_like"


def _drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{LIKE_INDEX}"')


def _restore_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{LIKE_INDEX}" ON "registry_piece" '
                              '("idempotency_key" varchar_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0008_search_indexes'),
        ('sharing', '0001_groups_and_legal_bases'),
    ]

    operations = [
        *(migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name="piece", name=field,
                                                    field=FIELDS[field])],
            database_operations=[migrations.RunSQL(
                f'DROP INDEX "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "registry_piece" ("{field}_id")')],
        ) for field, index in FK_INDEXES.items()),
        *(migrations.AddIndex(
            model_name="piece",
            index=models.Index(condition=models.Q((f"{field}__isnull", False)),
                               fields=[field], name=f"piece_{field}_set"))
          for field in FK_INDEXES),
        migrations.RunPython(_drop_like_index, _restore_like_index),
    ]
