"""The signed-in floor: what Django's own request cycle costs a signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_safe

if TYPE_CHECKING:  # only a type: the floor must import under any commit it is compared with
    from prep.http import AuthedHttpRequest


@require_safe
@login_required
def signed_in(request: AuthedHttpRequest) -> HttpResponse:
    """A few bytes for a signed-in user, past every middleware the product's pages go through.

    Checking the user loads the session (from Redis when the bench runs with it, as in
    production) and the user's row, as every signed-in page does; nothing else is read. The htmx
    request (HX-Request) gets a fragment, the page a document, like the product's views.
    """
    if request.htmx:
        return HttpResponse(f'<p id="signed-in">{request.user.pk}</p>')
    return HttpResponse(f"<!doctype html><title>Signed in</title><p>{request.user.pk}</p>")
