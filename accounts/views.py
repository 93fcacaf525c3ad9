from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ProfileForm, SignUpForm
from accounts.models import User
from accounts.services import (
    SignUpLinks,
    UserNameTaken,
    confirm_account,
    resend_confirmation_link,
    sign_up,
)
from accounts.throttling import record_signup_email, signup_is_throttled
from accounts.tokens import (
    CONFIRMATION_LINK_DAYS,
    confirmation_token_generator,
    user_from_resend_token,
)
from prep.forms import parse_id
from prep.http import AuthedHttpRequest, HtmxHttpRequest, safe_next_url


def _links(request: HtmxHttpRequest, next_url: str) -> SignUpLinks:
    return SignUpLinks(origin=f"{request.scheme}://{request.get_host()}", next_url=next_url)


def _check_your_email(request: HtmxHttpRequest, email: str, next_url: str) -> HttpResponse:
    """The page after every valid sign-up, whatever the address. Rendered, not redirected to:
    showing the address on a page of its own would need a session for every visitor."""
    context = {"email": email, "days": CONFIRMATION_LINK_DAYS, "next": next_url}
    return render(request, "accounts/check_email.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    """Sign up. A valid form always ends on the same "Check your email" page: what happens to
    the address (accounts.services.sign_up) is told only to its owner, by email."""
    next_url = safe_next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    if request.method == "POST" and signup_is_throttled(request):
        return render(request, "accounts/signup_throttled.html", status=429)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record_signup_email(request)
        email = form.cleaned_data["email"]
        try:
            sign_up(
                username=form.cleaned_data["username"],
                email=email,
                password=form.cleaned_data["password1"],
                links=_links(request, next_url),
            )
        except UserNameTaken:
            form.add_error("username", User._meta.get_field("username").error_messages["unique"])
        else:
            return _check_your_email(request, email, next_url)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def _account_to_confirm(uidb64: str, token: str) -> User | None:
    """The account waiting for confirmation that the link names, or None when the link is
    bad, expired or used."""
    try:
        pk = parse_id(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, awaiting_confirmation=True).first()
    return user if confirmation_token_generator.check_token(user, token) else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_signup(request: HtmxHttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation email. Opening it (GET) changes nothing, since mail
    scanners open links too; the button on the page (POST) confirms the account, logs its
    owner in and takes them to the dashboard, or to the `next` they signed up with."""
    next_url = safe_next_url(request)
    user = _account_to_confirm(uidb64, token)
    if user is None:
        context = {"validlink": False, "days": CONFIRMATION_LINK_DAYS}
        status = 400 if request.method == "POST" else 200
        return render(request, "accounts/confirm_signup.html", context, status=status)
    if request.method == "POST":
        confirm_account(user=user)
        login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
        messages.success(request, f"Your address is confirmed. Welcome to Prep, {user.username}!")
        return redirect(next_url or "practice:dashboard")
    context = {"validlink": True, "account": user, "next": next_url}
    return render(request, "accounts/confirm_signup.html", context)


@require_POST
def resend_confirmation(request: HtmxHttpRequest) -> HttpResponse:
    """Send a new confirmation link: the offer the log-in form makes to whoever gave the right
    password for an account waiting for confirmation (the token in the form names it)."""
    next_url = safe_next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    if signup_is_throttled(request):
        return render(request, "accounts/signup_throttled.html", status=429)
    user = user_from_resend_token(request.POST.get("token", ""))
    if user is None:
        messages.error(
            request,
            "That offer to send the link again has expired, or the account is already "
            "confirmed. Log in again.",
        )
        login_url = reverse("login")
        return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
    record_signup_email(request)
    resend_confirmation_link(user=user, links=_links(request, next_url))
    return _check_your_email(request, user.email, next_url)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
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
