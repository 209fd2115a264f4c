"""Resolution pages: the review queue, a pair side by side, clusters, the model. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from havenbeeld.accounts import policy
from havenbeeld.audit import events
from havenbeeld.registry.models import ObjectKind
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.selectors import get_object_for_user
from havenbeeld.resolution import selectors, services
from havenbeeld.resolution.features import COMPANY, PERSON
from havenbeeld.resolution.model import parameters
from havenbeeld.resolution.models import (
    Decision,
    MatchPair,
    PairStatus,
    ResolutionRun,
    Verdict,
)
from havenbeeld.sharing import purpose

KINDS = ((PERSON, ObjectKind.PERSON.label), (COMPANY, ObjectKind.COMPANY.label))


def review_queue(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.ANALYSE)
    kind = request.GET.get("kind", "")
    if kind not in dict(KINDS):
        kind = ""
    status = request.GET.get("status", PairStatus.REVIEW)
    if status not in (PairStatus.REVIEW, PairStatus.UNSURE):
        status = PairStatus.REVIEW
    page = Paginator(selectors.review_queue_for(request.user, kind, status), 25).get_page(
        request.GET.get("page"))
    ids = {i for pair in page for i in (pair.left_id, pair.right_id)}
    labels = selectors.labels_for(request.user, ids)
    rows = [(pair, labels.get(pair.left_id, ""), labels.get(pair.right_id, "")) for pair in page]
    decisions = Decision.objects.filter(decided_by__organisation=request.user.organisation
                                        ).select_related("pair", "decided_by")[:10]
    return render(request, "resolution/queue.html", {
        "page": page, "rows": rows, "kind": kind, "kinds": KINDS, "decisions": decisions,
        "status": status, "statuses": [(PairStatus.REVIEW.value, PairStatus.REVIEW.label),
                                       (PairStatus.UNSURE.value, PairStatus.UNSURE.label)],
        "query": f"kind={kind}&status={status}&",
        "may_administer": policy.can(request.user, policy.Action.MANAGE_ORGANISATIONS),
    })


def _pair_for(request: HttpRequest, pk: int) -> MatchPair:
    pair = selectors.pairs_visible_to(request.user).filter(pk=pk).first()
    if pair is None:
        raise Http404
    return pair


@require_http_methods(["GET", "POST"])
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.ANALYSE)
    pair = _pair_for(request, pk)
    left = get_object_for_user(request.user, pair.left_id)
    right = get_object_for_user(request.user, pair.right_id)
    stated = None
    if purpose.requires_purpose(left):
        stated = purpose.purpose_for(request, left) and purpose.purpose_for(request, right)
        if not stated:
            error = ""
            if request.method == "POST" and "purpose" in request.POST:
                try:
                    for obj in (left, right):
                        purpose.state_purpose(request, obj, request.POST["purpose"])
                except purpose.PurposeError as exc:
                    error = exc.message
                else:
                    return redirect("resolution:pair", pk=pair.pk)
            return render(request, "registry/purpose.html", {"object": left, "error": error},
                          status=400 if error else 200)
    error = ""
    if request.method == "POST":
        try:
            services.decide(actor=request.user, pair=pair,
                            verdict=request.POST.get("verdict", ""),
                            reason=request.POST.get("reason", ""))
        except services.ResolutionError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("resolution:pair", pk=pair.pk)
    pictures = [build_picture(request.user, left), build_picture(request.user, right)]
    for picture in pictures:
        events.picture_viewed(request.user, picture.object, request, picture.piece_count,
                              stated or "resolution review")
    score = selectors.evidence_for(request.user, pair)
    evidence = []
    if score is not None:
        evidence = [e for e in score.evidence if e.level != "null"]
    decisions = pair.decisions.select_related("decided_by")
    latest = next((d for d in decisions if not d.undone and d.verdict != Verdict.UNDO), None)
    return render(request, "resolution/pair.html", {
        "pair": pair, "pictures": pictures, "evidence": evidence, "score": score,
        "probability": score.probability if score else None,
        "decisions": decisions, "latest": latest, "verdicts": [
            (v.value, v.label) for v in (Verdict.SAME, Verdict.NOT_SAME, Verdict.UNSURE)],
        "error": error, "posted": request.POST if error else {},
    }, status=400 if error else 200)


@require_POST
def undo_decision(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.ANALYSE)
    decision = get_object_or_404(Decision, pk=pk)
    pair = _pair_for(request, decision.pair_id)
    try:
        services.undo(actor=request.user, decision=decision)
    except services.ResolutionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The decision is undone; the pair is as it was before."))
    return redirect("resolution:pair", pk=pair.pk)


@require_POST
def split_object(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.ANALYSE)
    obj = get_object_for_user(request.user, pk)
    members = selectors.cluster_for(request.user, obj)
    if not members:
        raise Http404
    try:
        services.split(actor=request.user, object_id=obj.pk,
                       reason=request.POST.get("reason", ""),
                       among=selectors.pairs_visible_to(request.user))
    except services.ResolutionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This object is taken out of its cluster."))
    return redirect("registry:object", pk=obj.pk)


@require_http_methods(["GET", "POST"])
def model_page(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_ORGANISATIONS)
    if request.method == "POST":
        run = services.start_run(actor=request.user, retrain=request.POST.get("retrain") == "1")
        messages.success(request, _("Resolution run %(number)d started.") % {"number": run.pk})
        return redirect("resolution:model")
    models = []
    for kind, label in KINDS:
        settings = services.active_settings(kind)
        saved = services.ResolutionModel.objects.filter(kind=kind).first()
        models.append({"kind": label, "prior": settings["probability_two_random_records_match"],
                       "comparisons": parameters(settings), "saved": saved,
                       "trained_on": settings.get("trained_on", {})})
    return render(request, "resolution/model.html", {
        "models": models, "runs": ResolutionRun.objects.all()[:5],
    })


def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_ORGANISATIONS)
    run = get_object_or_404(ResolutionRun, pk=pk)
    return render(request, "resolution/_run.html", {"run": run})
