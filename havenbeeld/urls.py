from django.urls import include, path

from havenbeeld.api import api_urls
from havenbeeld.core import views

core_patterns = [
    path("", views.start, name="start"),
    path("werkruimte/", views.dashboard, name="dashboard"),
    path("onderdeel/<slug:slug>/", views.area, name="area"),
    path("taal/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
]

urlpatterns = [
    path("", include((core_patterns, "core"))),
    path("", include("havenbeeld.accounts.urls")),
    path("", include("havenbeeld.registry.urls")),
    path("", include("havenbeeld.imports.urls")),
    path("", include("havenbeeld.sharing.urls")),
    path("", include("havenbeeld.audit.urls")),
    path("api/", api_urls),
]
