"""Exporting the audit log as CSV: the export is itself recorded in the log."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.models import AuditEvent
from kehu.audit.selectors import AuditFilters, audit_events, event_row
from kehu.audit.services import audit
from kehu.core.spreadsheet import SafeWriter

EXPORT_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "customer_id", "client_address",
                  "changes", "redacted_at", "hash")


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The export as CSV text, a line at a time (the log may be millions of rows long)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_COLUMNS)
    yield "\ufeff" + flush()  # a BOM, so spreadsheet programs read the Chinese as UTF-8
    for event in events:
        row = event_row(event)
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
        writer.writerow([row[column] for column in EXPORT_COLUMNS])
        yield flush()


def export_events(*, viewer: User, filters: AuditFilters, fmt: str) -> Iterator[AuditEvent]:
    """The events to export, after recording the export itself in the log (who took what)."""
    events = audit_events(viewer=viewer, filters=filters)
    audit(actor=viewer, action="audit.export", target=None, changes={
        "format": fmt, "filters": {k: str(v) for k, v in vars(filters).items() if v not in ("", None)},
    })
    return events.iterator(chunk_size=2000)


def csv_download(*, viewer: User, filters: AuditFilters, via: str) -> StreamingHttpResponse:
    """The filtered log as a streamed CSV attachment (web page and API alike)."""
    events = export_events(viewer=viewer, filters=filters, fmt=f"csv ({via})")
    response = StreamingHttpResponse(csv_lines(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="kehu-audit-{stamp}.csv"'
    return response
