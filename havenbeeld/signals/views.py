"""Signal pages: report, my signals with feedback, the triage queue, a signal, notifications.
Thin: forms shape input, services decide."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation, User
from havenbeeld.audit import events
from havenbeeld.places.models import Port
from havenbeeld.registry import identifiers
from havenbeeld.registry.selectors import get_object_for_user
from havenbeeld.resolution.features import COMPANY, PERSON, Record
from havenbeeld.resolution.selectors import candidates_for
from havenbeeld.sharing.visibility import contributor_label, sees_real_contributor
from havenbeeld.signals import attachments, intake, notifications, selectors, triage
from havenbeeld.signals.correlation import visible_correlations
from havenbeeld.signals.forms import (
    AttachmentsForm,
    ObjectFormSet,
    SignalForm,
    StatusForm,
    TextForm,
)
from havenbeeld.signals.models import Channel, FileMapping, Status, Theme


def my_signals(request: HttpRequest) -> HttpResponse:
    """The reporting organisation's own signals with their status and feedback."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    page = Paginator(selectors.own_signals(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "signals/mine.html", {
        "page": page, "may_report": policy.can(request.user,
                                               policy.Action.CONTRIBUTE_INFORMATION),
        "may_triage": notifications.may_triage(request.user)})


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    form = SignalForm(request.POST or None, user=request.user)
    objects = ObjectFormSet(request.POST or None, prefix="objects")
    files = AttachmentsForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid() and objects.is_valid() and files.is_valid():
        data = form.cleaned_data
        entries = tuple(e for e in (f.entry() for f in objects.forms if f.cleaned_data) if e)
        signal_input = intake.SignalInput(
            theme=data["theme"].code, port=data["port"].slug,
            area_id=data["area"].pk if data["area"] else None, title=data["title"],
            description=data["description"], observed_at=data["observed_at"],
            distribution=data["distribution"],
            group_id=data["group"].pk if data["group"] else None,
            legal_basis=data["legal_basis"].code,
            pseudonymous=bool(data.get("pseudonymous")), objects=entries)
        uploads = [intake.Upload(f.name, f.read()) for f in files.cleaned_data["files"]]
        try:
            submission = intake.submit(
                actor=request.user, data=signal_input, channel=Channel.WEB, uploads=uploads,
                idempotency_key=request.POST.get("submission_key") or None)
        except intake.SignalError as exc:
            error = exc
        else:
            messages.success(request, _("Signal %(reference)s has been received. You will "
                                        "hear here what becomes of it.")
                             % {"reference": submission.signal.reference})
            return redirect("signals:detail", pk=submission.signal.pk)
    return render(request, "signals/report.html", {
        "form": form, "objects": objects, "files": files, "error": error,
        "submission_key": request.POST.get("submission_key") or _new_key(),
        "themes": Theme.objects.filter(active=True)},
        status=400 if request.method == "POST" else 200)


WEB_FILE_MAX_ROWS = 500


@require_http_methods(["GET", "POST"])
def report_file(request: HttpRequest) -> HttpResponse:
    """Signals from a CSV or XLSX file (at most ``WEB_FILE_MAX_ROWS`` rows here; larger files
    through ``havenbeeld signals import``)."""
    import tempfile
    from pathlib import Path

    from havenbeeld.signals import files

    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    result, error = None, ""
    upload = request.FILES.get("file") if request.method == "POST" else None
    if request.method == "POST" and upload is None:
        error = _("Choose a file.")
    elif upload is not None and upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
        error = _("The file is larger than %(mb)d MB.") % {"mb": settings.IMPORT_MAX_MB}
    elif upload is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "signals"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                chosen = request.POST.get("mapping", "")
                mapping = files.mapping_for(request.user, chosen) if chosen else None
                result = files.import_file(actor=request.user, path=path,
                                           max_rows=WEB_FILE_MAX_ROWS, mapping=mapping)
            except files.SignalFileError as exc:
                error = exc.message
    return render(request, "signals/file.html", {
        "result": result, "error": error, "max_rows": WEB_FILE_MAX_ROWS,
        "columns": files.ALL_COLUMNS,
        "mappings": FileMapping.objects.filter(organisation_id=request.user.organisation_id),
        "chosen": request.POST.get("mapping", "")},
        status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def file_mappings(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The organisation's saved column mappings for signal files: list, add, change, remove."""
    from havenbeeld.signals import files
    from havenbeeld.signals.forms import FileMappingForm

    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    own = FileMapping.objects.filter(organisation_id=request.user.organisation_id)
    mapping = get_object_or_404(own, pk=pk) if pk is not None else None
    if request.method == "POST" and mapping is not None and "delete" in request.POST:
        mapping.delete()
        messages.success(request, _("The column mapping %(name)s was removed.")
                         % {"name": mapping.name})
        return redirect("signals:file_mappings")
    initial = {}
    if mapping is not None:
        initial = {"name": mapping.name, "columns": files.columns_text(mapping.columns),
                   **mapping.defaults}
    form = FileMappingForm(request.POST or None, user=request.user, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            saved = files.save_mapping(
                actor=request.user, name=form.cleaned_data["name"],
                columns=files.parse_columns(form.cleaned_data["columns"]),
                defaults=form.defaults(), mapping=mapping)
        except files.SignalFileError as exc:
            error = exc.message
        else:
            messages.success(request, _("The column mapping %(name)s was saved.")
                             % {"name": saved.name})
            return redirect("signals:file_mappings")
    return render(request, "signals/file_mappings.html", {
        "mappings": own, "form": form, "mapping": mapping, "error": error,
        "columns": files.ALL_COLUMNS, "file_url": reverse("signals:file")},
        status=400 if error or form.errors else 200)


def _new_key() -> str:
    import secrets

    return secrets.token_urlsafe(16)


@require_POST
def check_identifier(request: HttpRequest) -> HttpResponse:
    """Live validation of one identifier field (htmx): fine, or what is wrong and — for a
    wrong check digit — the corrected form to choose, never applied by itself."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    prefix = request.POST.get("prefix", "")[:40]
    field = request.POST.get("field", "identifier")
    scheme_field = "scheme" if field == "identifier" else "scheme_2"
    scheme = request.POST.get(f"{prefix}-{scheme_field}", "")
    value = request.POST.get(f"{prefix}-{field}", "").strip()
    result: dict[str, object] = {"field": f"{prefix}-{field}"}
    if value and not scheme:
        result["error"] = _("Choose which kind of identifier this is.")
    elif value:
        try:
            result["ok"] = identifiers.normalise(scheme, value).display
        except identifiers.InvalidIdentifier as exc:
            result["error"] = exc.message
            result["suggestion"] = exc.suggestion and identifiers.normalise(
                scheme, exc.suggestion).display
        except ValueError:
            result["error"] = _("Unknown identifier scheme %(scheme)s.") % {"scheme": scheme}
    return render(request, "signals/_check.html", result)


@require_POST
def did_you_mean(request: HttpRequest) -> HttpResponse:
    """Objects the reporter already sees that may be the company or person being entered."""
    policy.require(request.user, policy.Action.CONTRIBUTE_INFORMATION)
    prefix = request.POST.get("prefix", "")[:40]

    def value(name: str) -> str:
        return request.POST.get(f"{prefix}-{name}", "").strip()[:300]

    kind = value("kind")
    found = []
    if kind in (PERSON, COMPANY):
        ids = tuple((value(s), value(v)) for s, v in (("scheme", "identifier"),
                                                     ("scheme_2", "identifier_2"))
                    if value(s) and value(v))
        record = Record(record_id="form", entity_type=kind, name=value("name"),
                        first_name=value("first_name"), last_name=value("last_name"),
                        birth_date=value("birth_date"), founded=value("founded"),
                        street=value("street"), house_number=value("house_number"),
                        postcode=value("postcode"), city=value("city"),
                        country=value("country"), identifiers=ids)
        if record.name or record.last_name or ids:
            found = candidates_for(request.user, record, limit=5)
    return render(request, "signals/_candidates.html", {"candidates": found,
                                                         "prefix": prefix})


def triage_queue(request: HttpRequest) -> HttpResponse:
    if not notifications.may_triage(request.user):
        raise PermissionDenied
    get = request.GET
    try:
        older = int(get.get("older_than", "") or 0) or None
        organisation_id = int(get.get("organisation", "") or 0) or None
    except ValueError:
        older = organisation_id = None
    filters = selectors.Filters(port=get.get("port", ""), theme=get.get("theme", ""),
                                organisation_id=organisation_id,
                                status=get.get("status", "") if get.get(
                                    "status") in Status.values else "",
                                older_than_days=older, assigned=get.get("assigned", ""))
    page = Paginator(selectors.triage_queue(request.user, filters), 25).get_page(
        get.get("page"))
    rows = [(s, selectors.reporter_label(request.user, s)) for s in page]
    query = "&".join(f"{k}={v}" for k, v in get.items() if k != "page" and v)
    return render(request, "signals/triage.html", {
        "page": page, "rows": rows, "filters": filters, "ports": Port.objects.all(),
        "themes": Theme.objects.all(), "statuses": Status.choices,
        "organisations": _reporting_organisations(request.user),
        "query": query + "&" if query else ""})


def _reporting_organisations(user: User) -> list[Organisation]:
    """The partner filter: reporters of signals the analyst sees, a pseudonymous one only to
    who may know it."""
    visible = selectors.signals_visible_to(user)
    ids = set(visible.filter(pseudonymous=False).values_list("organisation_id", flat=True))
    ids |= {o for o in visible.filter(pseudonymous=True).values_list(
        "organisation_id", flat=True).distinct() if sees_real_contributor(user, o)}
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    signal = selectors.get_signal_for_user(user, pk)
    triaging = notifications.may_triage(user)
    reporter = selectors.is_reporter(user, signal)
    if triaging:
        events.signal_viewed(user, signal, request)
    assignees = []
    if triaging:
        assignees = list(User.objects.filter(
            organisation=user.organisation, is_active=True,
            role__in=notifications.TRIAGE_ROLES).order_by("full_name"))
    return render(request, "signals/detail.html", {
        "signal": signal, "reporter_label": selectors.reporter_label(user, signal),
        "entries": selectors.entries_for(user, signal),
        "history": selectors.events_for(user, signal, triage=triaging),
        "correlations": _named(user, visible_correlations(user, signal)) if triaging else [],
        "triaging": triaging, "is_reporter": reporter,
        "attachments": signal.attachments.all(),
        "status_form": StatusForm(initial={"status": signal.status}),
        "text_form": TextForm(), "assignees": assignees,
        "moves": triage.MOVES[signal.status]})


def _named(user: User, correlations: object) -> list:
    """Each correlation with its other piece's contributor as the viewer may learn it."""
    named = list(correlations)
    for correlation in named:
        piece = correlation.piece
        correlation.contributor = contributor_label(user, piece.organisation,
                                                    piece.pseudonymous_in)
    return named


def _triage_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    signal = selectors.get_signal_for_user(request.user, pk)
    try:
        if action == "status":
            form = StatusForm(request.POST)
            if not form.is_valid():
                raise triage.TriageError(_("Choose a status."))
            triage.change_status(actor=request.user, signal=signal, **form.cleaned_data)
            messages.success(request, _("The status is now “%(status)s”; the reporter has "
                                        "been told.") % {"status": signal.get_status_display()})
        elif action == "assign":
            assignee = None
            if request.POST.get("assignee"):
                assignee = User.objects.filter(pk=request.POST["assignee"]).first()
                if assignee is None:
                    raise triage.TriageError(_("Unknown user."))
            triage.assign(actor=request.user, signal=signal, assignee=assignee)
            messages.success(request, _("The assignment has been saved."))
        else:
            form = TextForm(request.POST)
            if not form.is_valid():
                raise triage.TriageError(_("Write a text."))
            if action == "comment":
                triage.comment(actor=request.user, signal=signal, text=form.cleaned_data["text"])
                messages.success(request, _("Your comment has been added."))
            else:
                triage.give_feedback(actor=request.user, signal=signal,
                                     text=form.cleaned_data["text"])
                messages.success(request, _("Your message has been sent to the reporter."))
    except triage.TriageError as exc:
        messages.error(request, exc.message)
    return redirect("signals:detail", pk=signal.pk)


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _triage_action(request, pk, "status")


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _triage_action(request, pk, "assign")


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _triage_action(request, pk, "comment")


@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _triage_action(request, pk, "feedback")


def download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    signal = selectors.get_signal_for_user(request.user, pk)
    attachment = signal.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    path = attachments.path_of(attachment)
    if not path.exists():
        raise Http404
    events.attachment_downloaded(request.user, attachment, request)
    response = FileResponse(path.open("rb"), as_attachment=True,
                            filename=attachment.original_name, content_type=attachment.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def notification_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.USE_WORKSPACE)
    if request.method == "POST":
        notifications.mark_read(request.user)
        return redirect("signals:notifications")
    page = Paginator(request.user.notifications.select_related("signal"), 25).get_page(
        request.GET.get("page"))
    return render(request, "signals/notifications.html", {"page": page})


@require_POST
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    obj = get_object_for_user(request.user, pk)
    on = request.POST.get("on") == "1"
    notifications.watch(request.user, obj.pk, on)
    messages.success(request, _("You now follow this object: new signals about it reach you.")
                     if on else _("You no longer follow this object."))
    return redirect("registry:object", pk=obj.pk)
