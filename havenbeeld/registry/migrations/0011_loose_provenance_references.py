"""A piece's provenance references — the organisation that contributed it, the user who recorded
it, its collaboration group and its legal basis — and a name token's piece keep their rule
(``on_delete``) but lose their constraint in the database.

Every piece carries all four references, and an import writes millions of pieces. PostgreSQL
checks a foreign key once for every row written, a NULL one included, by a trigger that fires at
the commit (Django makes them ``DEFERRABLE INITIALLY DEFERRED``): of the server's 1.5 s for
an import chunk of 5,000 company rows (15,000 pieces, 15,000 name tokens) at 10,000,000
pieces, 0.83 s went into the commit's checks, 0.59 s of them into these five (measured with
``log_min_duration_statement``; bench/import_bench.py went from 2,900 to 4,400 rows/s).

What the constraints guarded is kept otherwise:
- The rows they point at are never deleted: an organisation, a collaboration group and a
  legal basis are deactivated or retired (``active``), a user deactivated. Deleting one
  anyway goes through Django, which still applies ``PROTECT`` and ``SET_NULL`` (Django, not
  the database, carries out ``on_delete`` on every backend).
- Every writer of pieces takes the references from the rows it checked
  (``registry.services.check_provenance``): ``save_pieces``, ``core.hot`` and the import's
  ``COPY`` (``imports.bulk``).
- A name token is derived from its piece, written with it, and deleted with it through
  Django's ``CASCADE``; search reads a token's piece through the picture in any case.
The references that do point at rows the platform deletes — a piece's object, its related
object, the piece it corrects, an imported row's object — keep their constraints.

SQLite rebuilds a table to drop a constraint: ``AlterFieldsTogether`` alters the four fields of
the pieces' table in one rebuild (``AlterField`` rebuilt it for each of them).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.operations.base import Operation


class AlterFieldsTogether(Operation):
    """``AlterField`` for several fields of one model, in one rebuild of the table on SQLite
    (``alter_field`` per field elsewhere: PostgreSQL drops or adds each constraint)."""

    reversible = True

    def __init__(self, model_name: str, fields: list[tuple[str, models.Field]]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self):
        return self.__class__.__name__, [], {"model_name": self.model_name,
                                             "fields": self.fields}

    def state_forwards(self, app_label, state):
        for name, field in self.fields:
            state.alter_field(app_label, self.model_name, name, field, True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, to_state)

    def _alter(self, app_label, schema_editor, from_state, to_state):
        before = from_state.apps.get_model(app_label, self.model_name)
        after = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, after):
            return
        pairs = [(before._meta.get_field(name), after._meta.get_field(name))
                 for name, _field in self.fields]
        if schema_editor.connection.vendor == "sqlite":
            schema_editor._remake_table(before, alter_fields=pairs)
            return
        for old, new in pairs:
            schema_editor.alter_field(before, old, new)

    def describe(self):
        return f"Alter fields {', '.join(n for n, _f in self.fields)} on {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"alter_{self.model_name.lower()}_fields"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens"),
        ("registry", "0010_unused_piece_indexes"),
        ("sharing", "0006_retention_defaults"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="nametoken",
            name="piece",
            field=models.ForeignKey(
                db_constraint=False, db_index=False,
                on_delete=django.db.models.deletion.CASCADE, related_name="tokens",
                to="registry.piece"),
        ),
        AlterFieldsTogether("piece", [
            ("group", models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="pieces",
                to="sharing.collaborationgroup", verbose_name="collaboration group")),
            ("legal_basis", models.ForeignKey(
                db_constraint=False, db_index=False,
                on_delete=django.db.models.deletion.PROTECT, related_name="pieces",
                to="sharing.legalbasis", verbose_name="legal basis")),
            ("organisation", models.ForeignKey(
                db_constraint=False, db_index=False,
                on_delete=django.db.models.deletion.PROTECT, related_name="pieces",
                to="accounts.organisation", verbose_name="contributed by")),
            ("recorded_by", models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to=settings.AUTH_USER_MODEL, verbose_name="recorded by")),
        ]),
    ]
