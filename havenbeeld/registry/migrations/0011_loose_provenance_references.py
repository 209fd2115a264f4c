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

SQLite rebuilds the tables to drop the constraints (once per field: a migration of minutes for
a registry of millions of pieces, seconds for a small region's).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


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
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tokens",
                to="registry.piece",
            ),
        ),
        migrations.AlterField(
            model_name="piece",
            name="group",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pieces",
                to="sharing.collaborationgroup",
                verbose_name="collaboration group",
            ),
        ),
        migrations.AlterField(
            model_name="piece",
            name="legal_basis",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pieces",
                to="sharing.legalbasis",
                verbose_name="legal basis",
            ),
        ),
        migrations.AlterField(
            model_name="piece",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pieces",
                to="accounts.organisation",
                verbose_name="contributed by",
            ),
        ),
        migrations.AlterField(
            model_name="piece",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
    ]
