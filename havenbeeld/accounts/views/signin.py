"""Public account pages: request, confirm, set password, enrol, sign in and out, reset."""

from __future__ import annotations

import base64
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import segno
from django_otp import login as otp_login

from havenbeeld.accounts.forms import (
    AccountRequestForm,
    CodeForm,
    EnrolForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SignInForm,
)
from havenbeeld.accounts.models import User
from havenbeeld.accounts.services import AccountError, LinkError, links, requests, signin
from havenbeeld.audit import events
from havenbeeld.core.access import public

PENDING_KEY = "havenbeeld_pending_sign_in"
RECOVERY_KEY = "havenbeeld_new_recovery_codes"
NEXT_KEY = "havenbeeld_next"
PENDING_SECONDS = {"otp": 5 * 60, "enrol": 30 * 60}


def _set_pending(request: HttpRequest, user: User, stage: str) -> None:
    request.session[PENDING_KEY] = {"user": user.pk, "stage": stage, "at": time.time(),
                                    "generation": user.session_generation}


def _pending_user(request: HttpRequest, stage: str) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("stage") != stage:
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS[stage]:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.select_related("organisation").filter(
        pk=pending["user"], is_active=True).first()
    if user is None or user.session_generation != pending.get("generation"):
        return None
    return user


def _finish_sign_in(request: HttpRequest, user: User, device: object, method: str) -> None:
    next_url = request.session.get(NEXT_KEY)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    if next_url:
        request.session[NEXT_KEY] = next_url
    signin.record_sign_in(user, request, method)


def _next_url(request: HttpRequest) -> str:
    url = request.session.pop(NEXT_KEY, None)
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


@public
@require_http_methods(["GET", "POST"])
def request_account(request: HttpRequest) -> HttpResponse:
    form = AccountRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            requests.request_account(
                full_name=data["full_name"], email=data["email"],
                organisation=data["organisation"], function=data["function"],
                phone=data["phone"], motivation=data["motivation"], request=request,
            )
        except AccountError as exc:
            field = {"email_domain": "email", "inactive_organisation": "organisation"}.get(
                exc.code)
            form.add_error(field, str(exc.message))
        else:
            request.session["havenbeeld_request_email"] = data["email"].lower()
            return redirect("accounts:request_sent")
    return render(request, "accounts/request_form.html", {"form": form}, status=
                  400 if form.errors else 200)


@public
def request_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get("havenbeeld_request_email")
    return render(request, "accounts/request_sent.html",
                  {"email": email, "days": settings.ACCOUNT_REQUEST_VALID_DAYS})


@public
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    # GET shows a button; only the POST confirms, so mail scanners that follow links do not.
    try:
        link = requests.confirmation_link(token)
    except LinkError as exc:
        return render(request, "accounts/link_error.html", {"error": exc.message}, status=410)
    if request.method == "POST":
        try:
            account_request = requests.confirm_email(token=token, request=request)
        except (LinkError, AccountError) as exc:
            return render(request, "accounts/link_error.html", {"error": exc.message},
                          status=410)
        return render(request, "accounts/email_confirmed.html",
                      {"account_request": account_request})
    return render(request, "accounts/confirm_email.html",
                  {"account_request": link.account_request})


def _password_page(request: HttpRequest, token: str, purpose: links.Purpose
                   ) -> tuple[HttpResponse | None, NewPasswordForm | None]:
    try:
        link = links.peek(purpose, token)
    except LinkError as exc:
        return render(request, "accounts/link_error.html", {"error": exc.message},
                      status=410), None
    form = NewPasswordForm(request.POST or None)
    form.link_user = link.user
    return None, form


@public
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, token: str) -> HttpResponse:
    error_page, form = _password_page(request, token, links.Purpose.SET_PASSWORD)
    if error_page:
        return error_page
    if request.method == "POST" and form.is_valid():
        try:
            user = signin.set_initial_password(token=token, password=form.cleaned_data["password1"],
                                               request=request)
        except LinkError as exc:
            return render(request, "accounts/link_error.html", {"error": exc.message},
                          status=410)
        except AccountError as exc:
            form.add_error("password1", str(exc.message))
        else:
            logout(request)
            _set_pending(request, user, "enrol")
            return redirect("accounts:enrol")
    return render(request, "accounts/set_password.html", {"form": form, "user": form.link_user},
                  status=400 if form.errors else 200)


@public
@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, token: str) -> HttpResponse:
    error_page, form = _password_page(request, token, links.Purpose.RESET_PASSWORD)
    if error_page:
        return error_page
    if request.method == "POST" and form.is_valid():
        try:
            signin.reset_password(token=token, password=form.cleaned_data["password1"],
                                  request=request)
        except LinkError as exc:
            return render(request, "accounts/link_error.html", {"error": exc.message},
                          status=410)
        except AccountError as exc:
            form.add_error("password1", str(exc.message))
        else:
            logout(request)
            messages.success(request, _("Your password has been changed. Sign in with your new "
                                        "password and a code from your authenticator app."))
            return redirect("accounts:login")
    return render(request, "accounts/reset_password.html", {"form": form},
                  status=400 if form.errors else 200)


@public
@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signin.begin_password_reset(email=form.cleaned_data["email"], request=request)
        return render(request, "accounts/forgot_password_sent.html",
                      {"email": form.cleaned_data["email"]})
    return render(request, "accounts/forgot_password.html", {"form": form},
                  status=400 if form.errors else 200)


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "GET" and request.GET.get("next"):
        request.session[NEXT_KEY] = request.GET["next"]
    if request.method == "POST" and form.is_valid():
        try:
            user = signin.check_password(email=form.cleaned_data["email"],
                                         password=form.cleaned_data["password"],
                                         request=request)
        except AccountError as exc:
            form.add_error(None, str(exc.message))
            status = 429 if exc.code == "locked" else 400
        else:
            stage = "otp" if signin.has_second_factor(user) else "enrol"
            _set_pending(request, user, stage)
            return redirect("accounts:sign_in_code" if stage == "otp" else "accounts:enrol")
    elif form.errors:
        status = 400
    return render(request, "accounts/sign_in.html", {"form": form}, status=status)


@public
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request, "otp")
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = signin.verify_second_factor(user=user, code=form.cleaned_data["code"],
                                                 request=request)
        except AccountError as exc:
            form.add_error("code", str(exc.message))
            status = 429 if exc.code == "locked" else 400
            if exc.code == "locked":
                request.session.pop(PENDING_KEY, None)
        else:
            method = "recovery_code" if device.__class__.__name__ == "StaticDevice" else "totp"
            _finish_sign_in(request, user, device, method)
            if method == "recovery_code":
                messages.warning(request, _("You signed in with a recovery code. It cannot be "
                                            "used again."))
            return redirect(_next_url(request))
    return render(request, "accounts/sign_in_code.html", {"form": form}, status=status)


@public
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request, "enrol")
    if user is None:
        messages.info(request, _("Please sign in again to set up two-factor authentication."))
        return redirect("accounts:login")
    if signin.has_second_factor(user):
        # Enrolment was finished elsewhere (another tab or browser): sign in as usual.
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Two-factor authentication is already set up for this "
                                 "account. Sign in with a code from your app."))
        return redirect("accounts:login")
    device = signin.pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = signin.confirm_enrolment(user=user, code=form.cleaned_data["code"],
                                                     request=request)
        except AccountError as exc:
            form.add_error("code", str(exc.message))
            status = 429 if exc.code == "locked" else 400
        else:
            _finish_sign_in(request, user, device, "totp_enrolment")
            request.session[RECOVERY_KEY] = codes
            return redirect("accounts:recovery_codes")
    qr = segno.make(device.config_url, error="m")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(request, "accounts/enrol.html", {
        "form": form,
        "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff",
                                title=_("QR code for your authenticator app")),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "user": user,
    }, status=status)


def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(RECOVERY_KEY, None)
    if not codes:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/recovery_codes.html",
                  {"codes": codes, "next_url": _next_url(request)})


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        events.signed_out(request.user, request)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def my_account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account: change password, new recovery codes."""
    from django.contrib.auth import update_session_auth_hash

    from havenbeeld.accounts.forms import ChangePasswordForm

    form = ChangePasswordForm(request.POST if request.POST.get("action") == "password" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "codes":
        request.session[RECOVERY_KEY] = signin.new_recovery_codes(user=request.user,
                                                                  request=request)
        return redirect("accounts:recovery_codes")
    if request.method == "POST" and form.is_valid():
        try:
            user = signin.change_password(user=request.user,
                                          current=form.cleaned_data["current"],
                                          new=form.cleaned_data["password1"], request=request)
        except AccountError as exc:
            form.add_error("current" if exc.code in ("bad_current_password", "locked")
                           else "password1", str(exc.message))
            status = 400
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed. Your other sessions "
                                        "have ended."))
            return redirect("accounts:my_account")
    elif form.errors:
        status = 400
    return render(request, "accounts/my_account.html", {"form": form}, status=status)
