from django.urls import path

from asamblea.federation import views

app_name = "federation"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:node_id>/", views.node_detail, name="node"),
]
