from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.export import export_user_data
from accounts.forms import DeleteAccountForm, ProfileForm, SignUpForm
from accounts.models import User
from accounts.services import delete_account
from accounts.throttling import record_rejected_signup, signup_is_throttled
from prep.http import AuthedHttpRequest, HtmxHttpRequest


def _safe_next_url(request: HtmxHttpRequest) -> str:
    """The `next` the visitor came with (e.g. a mentor's invite link), or "" when it is missing
    or points off this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    next_url = _safe_next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    if request.method == "POST" and signup_is_throttled(request):
        # Sign-up must say when an address is taken; this keeps anyone from asking too often.
        return render(request, "accounts/signup_throttled.html", status=429)
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
            messages.success(request, f"Welcome to Prep, {user.username}. Let's practise.")
            return redirect(next_url or "home")
        record_rejected_signup(request)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthedHttpRequest) -> HttpResponse:
    # A fresh copy, so that a rejected form cannot leave half-cleaned values on request.user.
    user = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
        messages.error(request, "Your profile was not saved: please correct the marked fields.")
    # The mentors section (mentoring/_profile_mentors.html): one query.
    mentorships_received = user.mentorships_received.select_related("mentor").order_by("pk")
    context = {"form": form, "profile_user": user, "mentorships_received": mentorships_received}
    return render(request, "accounts/profile.html", context)


@never_cache
@login_required
@require_GET
def export_data(request: AuthedHttpRequest) -> JsonResponse:
    """Download my data: everything Prep holds about the user, as a JSON attachment."""
    response = JsonResponse(export_user_data(request.user), json_dumps_params={"indent": 2})
    filename = f"prep-data-{request.user.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account_view(request: AuthedHttpRequest) -> HttpResponse:
    """Delete my account, after confirming with the password; then log out."""
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user)
        logout(request)
        messages.success(request, "Your account and everything in it are deleted. Goodbye.")
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
