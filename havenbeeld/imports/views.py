"""Import pages: upload, check, start, progress (HTMX polling, works without JS), report."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from havenbeeld.accounts import policy
from havenbeeld.core.exports import csv_response
from havenbeeld.imports import services
from havenbeeld.imports.forms import MappingForm, MappingStartForm, UploadForm
from havenbeeld.imports.models import ImportJob
from havenbeeld.imports.readers import UnreadableFile, open_table


@require_http_methods(["GET", "POST"])
def import_home(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    mappings = services.mappings_of(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, mappings=mappings)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(actor=request.user, mapping=form.cleaned_data["mapping"],
                                        uploaded=form.cleaned_data["file"])
        except services.ImportError_ as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:job", pk=job.pk)
    if form.errors:
        status = 400
    jobs = services.jobs_of(request.user)[:20]
    return render(request, "imports/home.html",
                  {"form": form, "mappings": mappings, "jobs": jobs}, status=status)


@require_http_methods(["GET", "POST"])
def mapping_new(request: HttpRequest) -> HttpResponse:
    """Step 1: name, kind and the column names (from an example file or typed)."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    form = MappingStartForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        headers = _headers(form)
        if headers:
            request.session["havenbeeld_mapping_draft"] = {
                "name": form.cleaned_data["name"], "kind": form.cleaned_data["kind"],
                "headers": headers}
            return redirect("imports:mapping_columns")
    return render(request, "imports/mapping_new.html", {"form": form},
                  status=400 if form.errors else 200)


def _headers(form: MappingStartForm) -> list[str]:
    sample = form.cleaned_data.get("sample")
    if sample:
        path = services.upload_dir() / "sample-headers.tmp"
        try:
            with path.open("wb") as out:
                for chunk in sample.chunks():
                    out.write(chunk)
                    break  # the first chunk holds the header row
            return open_table(path).headers
        except UnreadableFile as exc:
            form.add_error("sample", exc.message)
            return []
        finally:
            Path(path).unlink(missing_ok=True)
    typed = [h.strip() for h in form.cleaned_data.get("headers", "").splitlines() if h.strip()]
    if not typed:
        form.add_error("headers", _("Give an example file or type the column names."))
    if len(set(typed)) != len(typed):
        form.add_error("headers", _("A column name appears twice."))
        return []
    return typed[:200]


@require_http_methods(["GET", "POST"])
def mapping_columns(request: HttpRequest) -> HttpResponse:
    """Step 2: a target per column, and the provenance every imported piece gets."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    draft = request.session.get("havenbeeld_mapping_draft")
    if not draft:
        return redirect("imports:mapping_new")
    form = MappingForm(request.POST or None, headers=draft["headers"], kind=draft["kind"],
                       organisation=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_mapping(
                actor=request.user, name=draft["name"], kind=draft["kind"],
                columns=form.columns(), key_column=data["key_column"],
                distribution=data["distribution"], legal_basis=data["legal_basis"],
                group=data["group"], reliability=data["reliability"],
                credibility=data["credibility"])
        except services.ImportError_ as exc:
            form.add_error(None, exc.message)
        else:
            request.session.pop("havenbeeld_mapping_draft", None)
            messages.success(request, _("The mapping %(name)s has been saved.")
                             % {"name": draft["name"]})
            return redirect("imports:home")
    return render(request, "imports/mapping_columns.html", {"form": form, "draft": draft},
                  status=400 if form.errors else 200)


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    job = services.job_for_user(request.user, pk)
    context = {"job": job}
    if job.status == ImportJob.Status.PREVIEWED:
        try:
            context["preview"] = services.preview(job)
        except UnreadableFile as exc:
            context["preview_error"] = exc.message
    else:
        context["errors"] = job.row_errors.all()[:200]
    template = "imports/_progress.html" if request.headers.get("HX-Request") else \
        "imports/job.html"
    return render(request, template, context)


@require_POST
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    job = services.job_for_user(request.user, pk)
    try:
        services.queue_import(actor=request.user, job=job)
    except services.ImportError_ as exc:
        messages.error(request, exc.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    job = services.job_for_user(request.user, pk)
    try:
        services.cancel_import(actor=request.user, job=job)
    except services.ImportError_ as exc:
        messages.error(request, exc.message)
    return redirect("imports:job", pk=job.pk)


def job_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    job = services.job_for_user(request.user, pk)
    rows = ([e.row_number, e.column, e.value, e.message, e.suggestion]
            for e in job.row_errors.all().iterator())
    return csv_response(f"importfouten-{job.pk}.csv",
                        [_("row"), _("column"), _("value"), _("error"), _("suggestion")], rows)


