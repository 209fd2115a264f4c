"""The value index ``piece_lookup`` ends in ``recorded_at``: a signal's correlation reads the
newest pieces stating each of its values backwards along it, a bounded range. Before, it read
every piece stating the value (and twice more once they were 200 or more), so a container or
company reported again and again made every new signal about it slower.

Rebuilds the index: at 10,000,000 pieces about a minute on PostgreSQL or SQLite, during which
pieces cannot be written.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_api_tokens'),
        ('registry', '0011_loose_provenance_references'),
        ('sharing', '0006_retention_defaults'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='piece',
            name='piece_lookup',
        ),
        migrations.AddIndex(
            model_name='piece',
            index=models.Index(fields=['property', 'scheme', 'value_normalised', 'recorded_at'], name='piece_lookup'),
        ),
    ]
