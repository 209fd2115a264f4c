"""Ground truth planted in the demo world, so resolution and risk can be measured."""

from __future__ import annotations

from django.db import models

from havenbeeld.registry.models import RegistryObject


class PlantedEntity(models.Model):
    """Which registry objects describe the same real (fictitious) entity."""

    object = models.OneToOneField(RegistryObject, on_delete=models.CASCADE,
                                  related_name="planted")
    entity_key = models.CharField(max_length=40, db_index=True)
    seed = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.entity_key} → {self.object_id}"
