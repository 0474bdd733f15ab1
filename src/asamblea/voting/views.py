from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def poll_list(request: HttpRequest) -> HttpResponse:
    return render(request, "voting/list.html")


@login_required
def poll_detail(request: HttpRequest, poll_id: int) -> HttpResponse:
    return render(request, "voting/detail.html")
