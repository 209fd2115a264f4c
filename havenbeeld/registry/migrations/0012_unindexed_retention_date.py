"""A piece's retention date loses its index: every piece written paid an entry in it, and only
the daily retention run (``sharing.retention.apply_retention``) looks pieces up by that date.

At 10,000,000 pieces on PostgreSQL, an import of 20,000 company rows (60,000 pieces) took the
server 1.19–1.31 s of CPU with the index and 1.05–1.22 s without (bench/import_bench.py). The
retention run reads its batches in the order of the ids, from where the one before ended: with
pieces due the primary key serves it as before (a batch of 5,000 in 3.8 ms, 7.0 ms with the
index at hand), and on a day when nothing is due the run ends after one scan of the table
(0.48 s at 10,000,000 pieces, where the index answered at once; on SQLite 0.96 s, and a
batch due 5 ms).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0011_loose_provenance_references'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='piece',
            name='piece_retention',
        ),
    ]
