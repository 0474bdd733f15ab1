from django.urls import path

from asamblea.voting import views

app_name = "voting"

urlpatterns = [
    path("", views.poll_list, name="list"),
    path("new/", views.poll_create, name="create"),
    path("<int:poll_id>/", views.poll_detail, name="detail"),
    path("<int:poll_id>/vote/", views.poll_vote, name="vote"),
    path("<int:poll_id>/open/", views.poll_open, name="open"),
    path("<int:poll_id>/close/", views.poll_close, name="close"),
    path("<int:poll_id>/cancel/", views.poll_cancel, name="cancel"),
    path("<int:poll_id>/booth/", views.poll_booth, name="booth"),
    path("voting-key/", views.voting_key, name="voting_key"),
    path("<int:poll_id>/board/", views.poll_board, name="board"),
    path("<int:poll_id>/record.zip", views.poll_record, name="record"),
    path("<int:poll_id>/results/", views.poll_results, name="results"),
    path("<int:poll_id>/minutes/", views.poll_minutes, name="minutes"),
    path("<int:poll_id>/minutes.pdf", views.poll_minutes_pdf, name="minutes_pdf"),
    path("<int:poll_id>/ballots.<str:fmt>", views.poll_export, name="export"),
    path("recall/<int:mandate_id>/", views.start_recall, name="start_recall"),
    path("motion/<int:motion_id>/open/", views.open_motion_vote, name="open_motion_vote"),
]
