"""Download my data, and delete my account: the user's rights over what every app holds."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from prep.http import AuthedHttpRequest
from privacy.export import export_user_data
from privacy.forms import DeleteAccountForm
from privacy.services import delete_account


@never_cache
@login_required
@require_safe
def export_data(request: AuthedHttpRequest) -> JsonResponse:
    """Download my data: everything Prep holds about the user, as a JSON attachment."""
    response = JsonResponse(export_user_data(request.user), json_dumps_params={"indent": 2})
    filename = f"prep-data-{request.user.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account_view(request: AuthedHttpRequest) -> HttpResponse:
    """Delete my account, after confirming with the password; then log out."""
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user)
        logout(request)
        messages.success(request, "Your account and everything in it are deleted. Goodbye.")
        return redirect("home")
    return render(request, "privacy/delete_account.html", {"form": form})
