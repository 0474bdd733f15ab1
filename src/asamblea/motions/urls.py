from django.urls import path

from asamblea.motions import views

app_name = "motions"

urlpatterns = [
    path("", views.motion_list, name="list"),
    path("<int:motion_id>/", views.motion_detail, name="detail"),
]
