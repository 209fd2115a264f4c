from django.urls import path

from havenbeeld.registry import views

app_name = "registry"

urlpatterns = [
    path("objecten/", views.object_search, name="search"),
    path("objecten/<int:pk>/", views.object_detail, name="object"),
    path("objecten/<int:pk>/export.csv", views.object_export, name="object_export"),
    path("objecten/<int:pk>/netwerk.json", views.object_network, name="object_network"),
]
