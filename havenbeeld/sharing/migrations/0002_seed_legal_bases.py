from django.db import migrations


def seed(apps, schema_editor):
    from havenbeeld.sharing.legal_bases import seed as seed_catalogue

    seed_catalogue(apps.get_model("sharing", "LegalBasis"))


def unseed(apps, schema_editor):
    from havenbeeld.sharing.legal_bases import LEGAL_BASES

    LegalBasis = apps.get_model("sharing", "LegalBasis")
    LegalBasis.objects.filter(code__in=[s["code"] for s in LEGAL_BASES],
                              pieces__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_groups_and_legal_bases"),
                    ("registry", "0001_objects_and_pieces")]

    operations = [migrations.RunPython(seed, unseed)]
