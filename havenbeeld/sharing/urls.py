from django.urls import path

from havenbeeld.sharing import views

app_name = "sharing"

urlpatterns = [
    path("samenwerkingsgroepen/", views.group_list, name="groups"),
    path("samenwerkingsgroepen/<int:pk>/", views.group_detail, name="group"),
    path("samenwerkingsgroepen/<int:pk>/leden/", views.group_member, name="group_member"),
    path("informatieverzoeken/", views.request_list, name="requests"),
    path("informatieverzoeken/nieuw/", views.request_new, name="request_new"),
    path("informatieverzoeken/<int:pk>/", views.request_detail, name="request"),
    path("beheer/inzageverzoek/", views.subject_access_start, name="subject_access_start"),
    path("beheer/inzageverzoek/<int:pk>.csv", views.subject_access, name="subject_access"),
]
