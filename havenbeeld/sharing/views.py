"""Collaboration-group pages for coordinators."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation
from havenbeeld.sharing import requests as info_requests
from havenbeeld.sharing import services


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150,
                           widget=forms.TextInput(attrs={"class": "utrecht-textbox"}))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=2000,
                                  required=False,
                                  widget=forms.Textarea(attrs={"class": "utrecht-textarea",
                                                               "rows": 3}))


class MemberForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(active=True), label=gettext_lazy("Organisation"),
        widget=forms.Select(attrs={"class": "utrecht-select utrecht-select--html-select"}))


@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.USE_WORKSPACE)
    form = GroupForm(request.POST or None)
    can_create = policy.can(request.user, policy.Action.MANAGE_COLLABORATION_GROUPS)
    if request.method == "POST":
        policy.require(request.user, policy.Action.MANAGE_COLLABORATION_GROUPS)
        if form.is_valid():
            try:
                group = services.create_group(actor=request.user, **form.cleaned_data)
            except services.SharingError as exc:
                form.add_error("name", exc.message)
            else:
                return redirect("sharing:group", pk=group.pk)
    return render(request, "sharing/group_list.html", {
        "groups": services.groups_visible_to(request.user), "form": form,
        "can_create": can_create}, status=400 if form.errors else 200)


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = services.get_group_for_user(request.user, pk)
    return render(request, "sharing/group_detail.html", {
        "group": group, "members": group.organisations.order_by("name"),
        "can_manage": services.can_manage(request.user, group),
        "can_leave": policy.can(request.user, policy.Action.MANAGE_COLLABORATION_GROUPS)
        and group.owner_id != request.user.organisation_id,
        "form": MemberForm()})


@require_POST
def group_member(request: HttpRequest, pk: int) -> HttpResponse:
    group = services.get_group_for_user(request.user, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            if request.POST.get("action") == "remove":
                services.remove_member(actor=request.user, group=group,
                                       organisation=organisation)
                messages.success(request, _("%(organisation)s has left the group.")
                                 % {"organisation": organisation.name})
            else:
                services.add_member(actor=request.user, group=group,
                                    organisation=organisation)
                messages.success(request, _("%(organisation)s has been added.")
                                 % {"organisation": organisation.name})
        except services.SharingError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose an organisation."))
    if not services.groups_visible_to(request.user).filter(pk=group.pk).exists():
        return redirect("sharing:groups")
    return redirect("sharing:group", pk=group.pk)


# --- Information requests -------------------------------------------------------------------

def request_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.USE_WORKSPACE)
    visible = info_requests.requests_visible_to(request.user)
    return render(request, "sharing/request_list.html", {
        "sent": visible.filter(requester_organisation=request.user.organisation_id),
        "received": visible.filter(holder=request.user.organisation_id)})


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    from havenbeeld.registry.selectors import get_object_for_user
    from havenbeeld.sharing.models import LegalBasis

    obj = get_object_for_user(request.user, _int(request.GET.get("object")))
    holder = Organisation.objects.filter(pk=_int(request.GET.get("holder"))).first()
    if holder is None:
        raise Http404
    bases = LegalBasis.objects.filter(active=True)
    error = ""
    if request.method == "POST":
        basis = bases.filter(pk=_int(request.POST.get("legal_basis"))).first()
        try:
            if basis is None:
                raise info_requests.RequestError(_("Choose the legal basis of your request."))
            created = info_requests.ask(actor=request.user, obj=obj, holder=holder,
                                        purpose=request.POST.get("purpose", ""),
                                        legal_basis=basis, request=request)
        except info_requests.RequestError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your request has been sent to %(holder)s.")
                             % {"holder": holder.name})
            return redirect("sharing:request", pk=created.pk)
    return render(request, "sharing/request_new.html", {
        "object": obj, "holder": holder, "bases": bases, "error": error},
        status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    info_request = info_requests.get_request_for_user(request.user, pk)
    is_holder = info_request.holder_id == request.user.organisation_id and policy.can(
        request.user, policy.Action.ANSWER_INFORMATION_REQUESTS, info_request.holder_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reply":
                info_requests.reply(actor=request.user, info_request=info_request,
                                    text=request.POST.get("text", ""), request=request)
            elif is_holder:
                ids = [int(i) for i in request.POST.getlist("piece") if i.isdigit()]
                info_requests.decide(actor=request.user, info_request=info_request,
                                     decision=request.POST.get("decision", ""),
                                     piece_ids=ids, message=request.POST.get("message", ""),
                                     request=request)
            else:
                raise PermissionDenied
        except info_requests.RequestError as exc:
            messages.error(request, exc.message)
        return redirect("sharing:request", pk=info_request.pk)
    return render(request, "sharing/request_detail.html", {
        "info_request": info_request, "is_holder": is_holder,
        "hidden": info_requests.hidden_pieces(info_request) if is_holder else [],
        "granted": info_request.grants.select_related("piece").order_by("piece__observed_at"),
    })


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Data-subject access report of one person object, as CSV (privacy officer)."""
    from havenbeeld.core.exports import csv_response
    from havenbeeld.sharing import subject_access as sar

    obj = sar.person_for_subject_access(request.user, pk)
    return csv_response(f"inzage-persoon-{obj.pk}.csv", sar.HEADER,
                        sar.subject_access_rows(request.user, obj, request))


def subject_access_start(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.VIEW_AUDIT_LOG)
    return redirect("sharing:subject_access", pk=_int(request.GET.get("object")))
