from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asamblea.federation import selectors


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "federation/tree.html", {"roots": selectors.roots()})


@login_required
def node_detail(request: HttpRequest, node_id: int) -> HttpResponse:
    node = selectors.get_visible_node(member=request.user, node_id=node_id)  # type: ignore[arg-type]
    return render(request, "federation/node.html", {"node": node})
