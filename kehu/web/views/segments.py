"""Segments (客户群): list with live counts, define and edit, members, member-list export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.permissions import may_configure, may_define_segments, may_export_customers, role_of
from kehu.core import ratelimit
from kehu.customers.search import count_at_most
from kehu.insights.models import ScoringRun
from kehu.segments import conditions as vocabulary
from kehu.segments.export import export_response
from kehu.segments.models import Segment
from kehu.segments.selectors import PURPOSES, members, segments_for
from kehu.segments.services import segment_create, segment_delete, segment_update
from kehu.web.forms.segments import SegmentForm
from kehu.web.pagination import COUNT_CAP, paginate
from kehu.web.ratelimits import rate_limited


def _ensure_staff(request: HttpRequest) -> None:
    if role_of(request.user) is None:
        raise PermissionDenied


def _purpose(request: HttpRequest) -> str:
    purpose = request.GET.get("purpose", "marketing")
    return purpose if purpose in PURPOSES else "marketing"


def _may_edit(user, segment: Segment) -> bool:
    return may_define_segments(user) and (segment.created_by_id == user.pk or may_configure(user))


@login_required
@require_GET
def segment_list_view(request: HttpRequest) -> HttpResponse:
    _ensure_staff(request)
    segments = list(segments_for(request.user))
    for segment in segments:
        counted = count_at_most(members(viewer=request.user, segment=segment), COUNT_CAP)
        segment.count_label = f"{COUNT_CAP}+" if counted > COUNT_CAP else str(counted)
        segment.words = vocabulary.describe(vocabulary.parse(segment.conditions))
    return render(request, "web/segments/list.html", {
        "segments": segments, "may_define": may_define_segments(request.user), "run": ScoringRun.current()})


def _form_page(request: HttpRequest, form: SegmentForm, segment: Segment | None) -> HttpResponse:
    return render(request, "web/segments/form.html", {
        "form": form, "segment": segment, "vocabulary": vocabulary.vocabulary()})


def _save(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    form = SegmentForm(request.POST)
    if form.is_valid():
        try:
            if segment is None:
                segment = segment_create(actor=request.user, values=form.values())
            else:
                segment = segment_update(actor=request.user, segment=segment, values=form.values())
            return redirect("web:segment-detail", segment.pk)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
    return _form_page(request, form, segment)


@login_required
@require_http_methods(["GET", "POST"])
def segment_create_view(request: HttpRequest) -> HttpResponse:
    if not may_define_segments(request.user):
        raise PermissionDenied(_("Your role cannot define segments."))
    if request.method == "POST":
        return _save(request, None)
    return _form_page(request, SegmentForm(), None)


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(segments_for(request.user), pk=pk)
    if not _may_edit(request.user, segment):
        raise PermissionDenied(_("Only its author or an archive manager can change this segment."))
    if request.method == "POST":
        return _save(request, segment)
    return _form_page(request, SegmentForm(initial=SegmentForm.initial_for(segment)), segment)


@login_required
@require_POST
def segment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(segments_for(request.user), pk=pk)
    segment_delete(actor=request.user, segment=segment)
    return redirect("web:segment-list")


@login_required
@require_GET
def segment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_staff(request)
    segment = get_object_or_404(segments_for(request.user), pk=pk)
    purpose = _purpose(request)
    page = paginate(members(viewer=request.user, segment=segment, purpose=purpose), request.GET.get("page"))
    return render(request, "web/segments/detail.html", {
        "segment": segment, "page": page, "purpose": purpose, "run": ScoringRun.current(),
        "words": vocabulary.describe(vocabulary.parse(segment.conditions)),
        "may_edit": _may_edit(request.user, segment), "may_export": may_export_customers(request.user)})


@login_required
@require_GET
@rate_limited(ratelimit.EXPORT)
def segment_export_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    if not may_export_customers(request.user):
        raise PermissionDenied(_("Your role cannot export customer lists."))
    segment = get_object_or_404(segments_for(request.user), pk=pk)
    purpose = _purpose(request)
    return export_response(request.user, segment, purpose, via="web")
