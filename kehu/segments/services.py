"""Writing segments: every change validated, audited, in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure, may_define_segments
from kehu.audit.services import audit
from kehu.segments import conditions as vocabulary
from kehu.segments.models import Segment


def _checked(values: dict[str, Any], *, instance: Segment | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > 100:
        errors["name"] = [_("At most %(n)d characters.") % {"n": 100}]
    elif Segment.objects.filter(name=name).exclude(pk=instance.pk if instance else None).exists():
        errors["name"] = [_("A segment with this name already exists.")]
    description = str(values.get("description") or "").strip()
    if len(description) > 500:
        errors["description"] = [_("At most %(n)d characters.") % {"n": 500}]
    try:
        parsed = vocabulary.parse(values.get("conditions", []))
    except ValidationError as error:
        errors["conditions"] = error.messages
        parsed = []
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description, "conditions": [c.as_json() for c in parsed]}


def _ensure_may_edit(actor: User, segment: Segment | None) -> None:
    if not may_define_segments(actor):
        raise PermissionDenied(_("Your role cannot define segments."))
    if segment is not None and segment.created_by_id != actor.pk and not may_configure(actor):
        raise PermissionDenied(_("Only its author or an archive manager can change this segment."))


@transaction.atomic
def segment_create(*, actor: User, values: dict[str, Any]) -> Segment:
    _ensure_may_edit(actor, None)
    segment = Segment.objects.create(created_by=actor, **_checked(values))
    audit(actor=actor, action="segment.create", target=segment, changes={"name": segment.name,
                                                                        "conditions": segment.conditions})
    return segment


@transaction.atomic
def segment_update(*, actor: User, segment: Segment, values: dict[str, Any]) -> Segment:
    _ensure_may_edit(actor, segment)
    checked = _checked(values, instance=segment)
    before = {"name": segment.name, "description": segment.description, "conditions": segment.conditions}
    for name, value in checked.items():
        setattr(segment, name, value)
    segment.updated_at = timezone.now()
    segment.save()
    audit(actor=actor, action="segment.update", target=segment, changes={"before": before, "after": checked})
    return segment


@transaction.atomic
def segment_delete(*, actor: User, segment: Segment) -> None:
    _ensure_may_edit(actor, segment)
    audit(actor=actor, action="segment.delete", target=segment, changes={"name": segment.name})
    segment.delete()
