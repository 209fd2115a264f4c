from __future__ import annotations

from django import template

from havenbeeld.registry.models import Property

register = template.Library()


@register.filter
def property_label(code: str) -> str:
    return Property(code).label
