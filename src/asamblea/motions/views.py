from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def motion_list(request: HttpRequest) -> HttpResponse:
    return render(request, "motions/list.html")


@login_required
def motion_detail(request: HttpRequest, motion_id: int) -> HttpResponse:
    return render(request, "motions/detail.html")
