"""Seed the themes of domain.md; administrators keep the list afterwards."""

from django.db import migrations

from havenbeeld.signals.themes import COMMON_VALUES, THEMES, seed_into


def seed(apps, schema_editor):
    seed_into(apps.get_model("signals", "Theme"), apps.get_model("signals", "CommonValue"))


def unseed(apps, schema_editor):
    apps.get_model("signals", "Theme").objects.filter(
        code__in=[c for c, _n, _d in THEMES], signals__isnull=True).delete()
    apps.get_model("signals", "CommonValue").objects.filter(
        value_normalised__in=[v["value_normalised"] for v in COMMON_VALUES]).delete()


class Migration(migrations.Migration):
    dependencies = [("signals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
