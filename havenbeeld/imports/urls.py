from django.urls import path

from havenbeeld.imports import views

app_name = "imports"

urlpatterns = [
    path("importeren/", views.import_home, name="home"),
    path("importeren/koppelingen/nieuw/", views.mapping_new, name="mapping_new"),
    path("importeren/koppelingen/kolommen/", views.mapping_columns, name="mapping_columns"),
    path("importeren/<int:pk>/", views.job_detail, name="job"),
    path("importeren/<int:pk>/starten/", views.job_start, name="job_start"),
    path("importeren/<int:pk>/annuleren/", views.job_cancel, name="job_cancel"),
    path("importeren/<int:pk>/fouten.csv", views.job_errors_csv, name="job_errors"),
]
