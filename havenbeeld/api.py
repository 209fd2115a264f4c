"""The REST API: one NinjaAPI that mounts each app's router; OpenAPI at /api/openapi.json."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from ninja import NinjaAPI

from havenbeeld.accounts.api_auth import TokenAuth
from havenbeeld.core.access import public
from havenbeeld.registry.api import router as registry_router
from havenbeeld.registry.services import RegistryError
from havenbeeld.resolution.api import router as resolution_router
from havenbeeld.signals.api import router as signals_router

api = NinjaAPI(
    title="Havenbeeld API",
    version="1",
    description="Objects, pieces of information with provenance, search and signals — through "
                "the "
                "same services and permission policy as the web pages. Every response holds "
                "only what the token's user may see.",
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/", registry_router)
api.add_router("/", resolution_router)
api.add_router("/", signals_router)


@api.exception_handler(RegistryError)
def registry_error(request: HttpRequest, exc: RegistryError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field,
                                         "suggestion": exc.suggestion}, status=422)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Not allowed for your role."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


# The API authenticates every call with its own token; the sign-in middleware lets it through.
api_urls = api.urls
for pattern in api_urls[0]:
    pattern.callback = public(pattern.callback)
