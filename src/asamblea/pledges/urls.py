from django.urls import path

from asamblea.pledges import views

app_name = "pledges"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("<int:call_id>/", views.call_detail, name="detail"),
    path("<int:call_id>/answer/", views.call_answer, name="answer"),
    path("<int:call_id>/reconfirm/", views.call_reconfirm, name="reconfirm"),
    path("<int:call_id>/open/", views.call_open, name="open"),
    path("<int:call_id>/withdraw/", views.call_withdraw, name="withdraw"),
    path("<int:call_id>/report/", views.call_report, name="report"),
]
