from django.urls import path

from havenbeeld.audit import views

app_name = "audit"

urlpatterns = [
    path("beheer/auditlog/", views.audit_log, name="log"),
    path("beheer/auditlog/export.csv", views.audit_export, name="export"),
]
