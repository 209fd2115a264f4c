"""Pieces cost fewer index entries: every index is maintained at every insert, and an import
writes millions of pieces.

- The foreign keys ``legal_basis`` and ``recorded_by`` had an index of their own, which no
  query uses: nothing looks pieces up by legal basis or by the user who recorded them (search,
  the picture, the network, resolution and retention go by object, property and value,
  organisation, group, target and retention date). Only deleting a legal basis or a user would
  (``PROTECT`` and ``SET_NULL`` look for their pieces), and neither is ever deleted: a legal
  basis is retired (``active``), a user deactivated. Three pieces a company row, six index
  entries of an imported row fewer.
- PostgreSQL: Django gives an indexed text column a second index for ``LIKE`` queries
  (``…_like``, ``varchar_pattern_ops``); nothing looks an object's kind up but by equality.

The indexes are dropped by name (Django's names for them on every backend), so SQLite does
not rebuild the table as a field alteration would.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FK_INDEXES = {  # field: index
    "legal_basis": "registry_piece_legal_basis_id_a64ae60e",
    "recorded_by": "registry_piece_recorded_by_id_a435f342",
}
FIELDS = {
    "legal_basis": models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="pieces",
        to="sharing.legalbasis", verbose_name="legal basis"),
    "recorded_by": models.ForeignKey(
        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
        related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="recorded by"),
}
KIND_LIKE_INDEX = "registry_object_kind_141fe662_like"


def _drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{KIND_LIKE_INDEX}"')


def _restore_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{KIND_LIKE_INDEX}" '
                              'ON "registry_object" ("kind" varchar_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0009_partial_piece_indexes'),
        ('sharing', '0001_groups_and_legal_bases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *(migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name="piece", name=field,
                                                    field=FIELDS[field])],
            database_operations=[migrations.RunSQL(
                f'DROP INDEX "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "registry_piece" ("{field}_id")')],
        ) for field, index in FK_INDEXES.items()),
        migrations.RunPython(_drop_like_index, _restore_like_index),
    ]
