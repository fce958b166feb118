from __future__ import annotations

from django.db.models import QuerySet

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure, role_of
from kehu.quality.models import ImportRun


def import_runs_visible_to(viewer: User) -> QuerySet[ImportRun]:
    """A report quotes cell values, possibly of customers the viewer cannot see: staff see
    their own runs, administrators and archive managers everyone's."""
    if role_of(viewer) is None:
        return ImportRun.objects.none()
    runs = ImportRun.objects.select_related("actor")
    return runs if may_configure(viewer) else runs.filter(actor=viewer)
