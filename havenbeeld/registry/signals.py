"""Signals of the registry. ``pieces_saved`` carries the ids of objects that got new pieces."""

from django.dispatch import Signal

pieces_saved = Signal()
