"""Bearer-token authentication for the REST API."""

from __future__ import annotations

from django.http import HttpRequest

from ninja.security import HttpBearer

from havenbeeld.accounts.models import User
from havenbeeld.accounts.services.tokens import user_for_token


class TokenAuth(HttpBearer):
    openapi_description = "A personal or partner-system token: `Authorization: Bearer hb_…`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user
