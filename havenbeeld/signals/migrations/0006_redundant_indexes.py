"""Signals and their correlations cost fewer index entries: every index is written at every
insert, and a signal adds a row to the signal table and dozens to the correlation table.

- ``Correlation.signal`` had an index of its own, of which the unique ``correlation_once``
  (signal, piece) is the prefix: every lookup by signal uses that one.
- ``Signal.status`` had one (and on PostgreSQL a second for ``LIKE``, ``…_like``) of which
  ``signal_triage`` (status, port, received_at) is the prefix; ``Signal.organisation`` one of
  which ``signal_reporter`` (organisation, received_at) is.

The indexes are dropped by name (Django's names for them on every backend), so SQLite does
not rebuild the tables as a field alteration would.
"""

import django.db.models.deletion
from django.db import migrations, models

STATUS_LIKE_INDEX = "signals_signal_status_f56bfca7_like"
DROPPED = [  # (model, field, table, column, index, the field as it is now)
    ("correlation", "signal", "signals_correlation", "signal_id",
     "signals_correlation_signal_id_85f648b6",
     models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                       related_name="correlations", to="signals.signal")),
    ("signal", "organisation", "signals_signal", "organisation_id",
     "signals_signal_organisation_id_e91c7db7",
     models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                       related_name="signals", to="accounts.organisation",
                       verbose_name="reported by")),
    ("signal", "status", "signals_signal", "status", "signals_signal_status_f56bfca7",
     models.CharField(choices=[("new", "new"), ("in_progress", "in progress"),
                               ("linked", "linked to an analysis"), ("closed", "closed")],
                      default="new", max_length=12, verbose_name="status")),
]


def _drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{STATUS_LIKE_INDEX}"')


def _restore_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{STATUS_LIKE_INDEX}" '
                              'ON "signals_signal" ("status" varchar_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_api_tokens'),
        ('signals', '0005_file_mapping'),
    ]

    operations = [
        migrations.RunPython(_drop_like_index, _restore_like_index),
        *(migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name=model, name=name, field=field)],
            database_operations=[migrations.RunSQL(
                f'DROP INDEX "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")')],
        ) for model, name, table, column, index, field in DROPPED),
    ]
