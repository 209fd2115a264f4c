from django.urls import path

from havenbeeld.sharing import views

app_name = "sharing"

urlpatterns = [
    path("samenwerkingsgroepen/", views.group_list, name="groups"),
    path("samenwerkingsgroepen/<int:pk>/", views.group_detail, name="group"),
    path("samenwerkingsgroepen/<int:pk>/leden/", views.group_member, name="group_member"),
]
