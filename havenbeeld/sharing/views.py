"""Collaboration-group pages for coordinators."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation
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
