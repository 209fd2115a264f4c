from django.db import migrations


def fill(apps, schema_editor):
    Piece = apps.get_model("registry", "Piece")
    NameToken = apps.get_model("registry", "NameToken")
    batch = []
    for piece_id, object_id, key in (Piece.objects.filter(property__in=["name", "trade_name"])
                                     .values_list("id", "object_id", "value_normalised")
                                     .iterator(chunk_size=5000)):
        for word in set(key.split()):
            batch.append(NameToken(token=word[:64], piece_id=piece_id, object_id=object_id))
        if len(batch) >= 5000:
            NameToken.objects.bulk_create(batch)
            batch = []
    NameToken.objects.bulk_create(batch)


def empty(apps, schema_editor):
    apps.get_model("registry", "NameToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_name_tokens")]

    operations = [migrations.RunPython(fill, empty)]
