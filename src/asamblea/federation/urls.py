from django.urls import path

from asamblea.federation import views

app_name = "federation"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("new/", views.create_node, name="create_node"),
    path("<int:node_id>/", views.node_detail, name="node"),
    path("<int:node_id>/edit/", views.edit_node, name="edit_node"),
    path("<int:node_id>/appoint/", views.appoint, name="appoint"),
    path("memberships/<int:membership_id>/role/", views.change_role, name="change_role"),
    path("memberships/<int:membership_id>/end/", views.end_membership, name="end_membership"),
    path("mandates/<int:mandate_id>/end/", views.end_mandate, name="end_mandate"),
]
