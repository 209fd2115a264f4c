"""Which views may be seen without a verified sign-in.

Every view requires a signed-in user who passed the second factor, unless it is marked
``@public``. The check lives in one middleware, so a view cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Mark a view as reachable without signing in (start page, sign-in, account request)."""
    view.havenbeeld_public = True  # type: ignore[attr-defined]
    return view


def is_public(view: Callable) -> bool:
    target = getattr(view, "view_class", view)
    return bool(getattr(view, "havenbeeld_public", False)
                or getattr(target, "havenbeeld_public", False))
