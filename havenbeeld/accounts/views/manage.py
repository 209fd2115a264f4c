"""Coordinator and administrator pages: vetting requests, managing users."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from havenbeeld.accounts import policy
from havenbeeld.accounts.forms import ApproveForm, ReasonForm
from havenbeeld.accounts.models import AccountRequest, Role
from havenbeeld.accounts.services import AccountError, requests, users

STATUS_FILTERS = {
    "pending": [AccountRequest.Status.PENDING],
    "unconfirmed": [AccountRequest.Status.UNCONFIRMED],
    "decided": [AccountRequest.Status.APPROVED, AccountRequest.Status.REJECTED,
                AccountRequest.Status.EXPIRED],
}


def request_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.REVIEW_ACCOUNT_REQUESTS)
    requests.expire_stale_requests()
    status = request.GET.get("status", "pending")
    if status not in STATUS_FILTERS:
        status = "pending"
    queryset = policy.account_requests_visible_to(request.user).filter(
        status__in=STATUS_FILTERS[status])
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/manage/request_list.html",
                  {"page": page, "status": status, "filters": STATUS_FILTERS})


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.REVIEW_ACCOUNT_REQUESTS)
    account_request = policy.get_account_request_for_user(request.user, pk)
    roles = policy.grantable_roles(request.user)
    # Two forms on one page: distinct id prefixes keep every label tied to its own field.
    approve_form = ApproveForm(roles=roles, auto_id="approve_%s")
    reject_form = ReasonForm(auto_id="reject_%s")
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                approve_form = ApproveForm(request.POST, roles=roles, auto_id="approve_%s")
                if approve_form.is_valid():
                    user = requests.approve_request(
                        actor=request.user, account_request=account_request,
                        role=Role(approve_form.cleaned_data["role"]),
                        reason=approve_form.cleaned_data["reason"], request=request)
                    messages.success(request, _("The request of %(name)s has been approved. "
                                                "They received a link to set a password.")
                                     % {"name": user.full_name})
                    return redirect("accounts:request_list")
            elif decision == "reject":
                reject_form = ReasonForm(request.POST, auto_id="reject_%s")
                if reject_form.is_valid():
                    requests.reject_request(actor=request.user, account_request=account_request,
                                            reason=reject_form.cleaned_data["reason"],
                                            request=request)
                    messages.success(request, _("The request of %(name)s has been rejected.")
                                     % {"name": account_request.full_name})
                    return redirect("accounts:request_list")
            else:
                messages.error(request, _("Choose to approve or to reject."))
        except AccountError as exc:
            messages.error(request, str(exc.message))
        status = 400
        account_request.refresh_from_db()
    return render(request, "accounts/manage/request_detail.html", {
        "account_request": account_request,
        "approve_form": approve_form,
        "reject_form": reject_form,
    }, status=status)


def user_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_USERS)
    queryset = policy.users_manageable_by(request.user).order_by("organisation__name",
                                                                 "full_name")
    active = request.GET.get("active", "yes")
    if active == "yes":
        queryset = queryset.filter(is_active=True)
    elif active == "no":
        queryset = queryset.filter(is_active=False)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/manage/user_list.html", {"page": page, "active": active})


@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_USERS)
    subject = policy.get_manageable_user(request.user, pk)
    form = ReasonForm()
    return render(request, "accounts/manage/user_detail.html",
                  {"subject": subject, "form": form})


@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_USERS)
    subject = policy.get_manageable_user(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            users.deactivate_user(actor=request.user, user=subject,
                                  reason=form.cleaned_data["reason"], request=request)
        except AccountError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(name)s has been deactivated and signed out.")
                             % {"name": subject.full_name})
            return redirect("accounts:user_detail", pk=subject.pk)
    return render(request, "accounts/manage/user_detail.html",
                  {"subject": subject, "form": form}, status=400)


@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_USERS)
    subject = policy.get_manageable_user(request.user, pk)
    try:
        users.reactivate_user(actor=request.user, user=subject, request=request)
    except AccountError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s has been reactivated.") % {"name": subject.full_name})
    return redirect("accounts:user_detail", pk=subject.pk)


@require_POST
def user_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_USERS)
    subject = policy.get_manageable_user(request.user, pk)
    try:
        users.reset_second_factor(actor=request.user, user=subject, request=request)
    except AccountError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The two-factor authentication of %(name)s has been reset. "
                                    "They received a link to set a new password and enrol "
                                    "again.") % {"name": subject.full_name})
    return redirect("accounts:user_detail", pk=subject.pk)
