from django.urls import include, path

from havenbeeld.api import api_urls
from havenbeeld.core import reference, views

core_patterns = [
    path("", views.start, name="start"),
    path("werkruimte/", views.dashboard, name="dashboard"),
    path("onderdeel/<slug:slug>/", views.area, name="area"),
    path("taal/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
    path("beheer/referentie/<slug:slug>/", reference.reference_list, name="reference"),
    path("beheer/referentie/<slug:slug>/nieuw/", reference.reference_edit, name="reference_new"),
    path("beheer/referentie/<slug:slug>/<int:pk>/", reference.reference_edit,
         name="reference_edit"),
]

urlpatterns = [
    path("", include((core_patterns, "core"))),
    path("", include("havenbeeld.accounts.urls")),
    path("", include("havenbeeld.registry.urls")),
    path("", include("havenbeeld.imports.urls")),
    path("", include("havenbeeld.resolution.urls")),
    path("", include("havenbeeld.signals.urls")),
    path("", include("havenbeeld.sharing.urls")),
    path("", include("havenbeeld.audit.urls")),
    path("api/", api_urls),
]
