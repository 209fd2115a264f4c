from django.urls import path

from havenbeeld.resolution import views

app_name = "resolution"

urlpatterns = [
    path("koppelingen/", views.review_queue, name="queue"),
    path("koppelingen/<int:pk>/", views.pair_detail, name="pair"),
    path("koppelingen/besluit/<int:pk>/ongedaan/", views.undo_decision, name="undo"),
    path("objecten/<int:pk>/ontkoppelen/", views.split_object, name="split"),
    path("beheer/koppelingen/model/", views.model_page, name="model"),
    path("beheer/koppelingen/run/<int:pk>/", views.run_progress, name="run"),
]
