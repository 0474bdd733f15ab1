from django.urls import path

from asamblea.trustees import views

app_name = "trustees"

urlpatterns = [
    path("nodes/<int:node_id>/", views.node_boards, name="node"),
    path("boards/<int:board_id>/", views.board_detail, name="board"),
    path("boards/<int:board_id>/appoint/", views.appoint, name="appoint"),
    path("boards/<int:board_id>/start/", views.start, name="start"),
    path("boards/<int:board_id>/renew/", views.renew, name="renew"),
    path("boards/<int:board_id>/me/", views.trustee_page, name="trustee"),
    path("boards/<int:board_id>/me/key/", views.register_key, name="register_key"),
    path("boards/<int:board_id>/me/key-file/", views.confirm_key_file, name="confirm_key_file"),
]
