"""Indexes for search at scale, and no index twice.

- ``name_token_piece`` (piece, token): exact name search drives from the rarest word's token
  range and checks every other word per candidate piece on this index, without reading the
  table. The foreign key's own index on ``piece_id`` is its prefix and is dropped.
- ``piece_target`` duplicated the foreign key's own index on ``target_id``.
- The foreign keys' own indexes on ``registry_piece.object_id`` and ``organisation_id`` are
  prefixes of ``piece_object_property`` and ``piece_organisation``.

The foreign keys' indexes are dropped by name (Django's name for them on every backend), so
SQLite does not rebuild the tables as a field alteration would.
"""

import django.db.models.deletion
from django.db import migrations, models

DUPLICATE_FK_INDEXES = {  # (model, field): (index, table, column)
    ("nametoken", "piece"): ("registry_name_token_piece_id_ca658c25", "registry_name_token",
                             "piece_id"),
    ("piece", "object"): ("registry_piece_object_id_a606fbd2", "registry_piece", "object_id"),
    ("piece", "organisation"): ("registry_piece_organisation_id_b5fde880", "registry_piece",
                                "organisation_id"),
}
FIELDS = {
    ("nametoken", "piece"): models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="tokens",
        to="registry.piece"),
    ("piece", "object"): models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="pieces",
        to="registry.registryobject", verbose_name="object"),
    ("piece", "organisation"): models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="pieces",
        to="accounts.organisation", verbose_name="contributed by"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_piece_pseudonymous_in'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='piece',
            name='piece_target',
        ),
        migrations.AddIndex(
            model_name='nametoken',
            index=models.Index(fields=['piece', 'token'], name='name_token_piece'),
        ),
        *(migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name=model, name=field,
                                                    field=FIELDS[model, field])],
            database_operations=[migrations.RunSQL(
                f'DROP INDEX "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")')],
        ) for (model, field), (index, table, column) in DUPLICATE_FK_INDEXES.items()),
    ]
