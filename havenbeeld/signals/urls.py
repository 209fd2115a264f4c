from django.urls import path

from havenbeeld.signals import views

app_name = "signals"

urlpatterns = [
    path("signalen/", views.my_signals, name="mine"),
    path("signalen/melden/", views.report, name="report"),
    path("signalen/bestand/", views.report_file, name="file"),
    path("signalen/bestand/indelingen/", views.file_mappings, name="file_mappings"),
    path("signalen/bestand/indelingen/<int:pk>/", views.file_mappings, name="file_mapping"),
    path("signalen/melden/controle/", views.check_identifier, name="check"),
    path("signalen/melden/bedoelt-u/", views.did_you_mean, name="did_you_mean"),
    path("signalen/triage/", views.triage_queue, name="triage"),
    path("signalen/<int:pk>/", views.detail, name="detail"),
    path("signalen/<int:pk>/status/", views.change_status, name="status"),
    path("signalen/<int:pk>/toewijzen/", views.assign, name="assign"),
    path("signalen/<int:pk>/opmerking/", views.comment, name="comment"),
    path("signalen/<int:pk>/terugkoppeling/", views.feedback, name="feedback"),
    path("signalen/<int:pk>/bijlagen/<int:attachment_pk>/", views.download, name="download"),
    path("meldingen/", views.notification_list, name="notifications"),
    path("objecten/<int:pk>/volgen/", views.watch, name="watch"),
]
