"""Scoring runs started from the web or the API: queued, run in the background, watched.

There is no task queue in kehu yet (see tasks.py), so a started job runs in a thread of
the web process, after the request's transaction commits; with
`settings.KEHU_SCORING_IN_BACKGROUND = False` (the tests) it runs inline, before the
response. Either way its progress lives in the `ScoringJob` row, so whichever process
answers the next poll can show it. A job whose process died stays "running" in the row;
past `STALE_AFTER` it no longer blocks a new one.
"""

from __future__ import annotations

import datetime
import logging
import threading

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure, sees_all_customers
from kehu.audit.services import audit
from kehu.insights.config import check_as_of
from kehu.insights.models import ScoringJob, ScoringJobStatus
from kehu.insights.services import scoring_run

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(hours=1)
# Dates before this leave no room for the RFM window and the holdout before them.
EARLIEST_AS_OF = datetime.date(1970, 1, 1)


class JobAlreadyActive(Exception):
    """Another scoring job is queued or running: one at a time (each scores the whole base)."""

    def __init__(self, job: ScoringJob) -> None:
        super().__init__(_("A scoring run is already in progress (as of %(date)s, requested %(at)s).") % {
            "date": job.as_of.isoformat(), "at": timezone.localtime(job.requested_at).strftime("%Y-%m-%d %H:%M")})
        self.job = job


def active_job() -> ScoringJob | None:
    cutoff = timezone.now() - STALE_AFTER
    return (ScoringJob.objects.filter(status__in=ScoringJob.ACTIVE, requested_at__gte=cutoff)
            .select_related("requested_by").order_by("-requested_at").first())


def recent_jobs(*, viewer: User, limit: int = 10) -> list[ScoringJob]:
    """Base-wide work, like the runs themselves: only for those who see every customer."""
    if not sees_all_customers(viewer):
        return []
    return list(ScoringJob.objects.select_related("requested_by", "run").order_by("-requested_at", "-id")[:limit])


def job_get(*, viewer: User, pk: int) -> ScoringJob | None:
    if not sees_all_customers(viewer):
        return None
    return ScoringJob.objects.select_related("requested_by", "run").filter(pk=pk).first()


def is_stale(job: ScoringJob) -> bool:
    return job.status in ScoringJob.ACTIVE and job.requested_at < timezone.now() - STALE_AFTER


def scoring_job_start(*, actor: User, as_of: datetime.date | None = None) -> ScoringJob:
    """Queue a scoring run of the whole base as of `as_of` (default today) and start it."""
    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers may start a scoring run."))
    as_of = check_as_of(as_of if as_of is not None else timezone.localdate())
    if as_of < EARLIEST_AS_OF:
        raise ValidationError({"as_of": [_("A date from %(date)s on.") % {"date": EARLIEST_AS_OF.isoformat()}]})
    with transaction.atomic():
        running = active_job()
        if running is not None:
            raise JobAlreadyActive(running)
        job = ScoringJob.objects.create(as_of=as_of, requested_by=actor)
        audit(actor=actor, action="insights.score_request", target=job, changes={"as_of": as_of.isoformat()})
    if settings.KEHU_SCORING_IN_BACKGROUND:
        transaction.on_commit(lambda: _in_thread(job.pk))
    else:
        scoring_job_execute(job.pk)
        job.refresh_from_db()
    return job


def _in_thread(job_id: int) -> None:
    def work() -> None:
        try:
            scoring_job_execute(job_id)
        finally:
            connection.close()  # the thread's own connection; the request's is untouched

    threading.Thread(target=work, name=f"kehu-scoring-{job_id}", daemon=True).start()


def scoring_job_execute(job_id: int) -> None:
    """Run a queued job; a job already taken (or finished) is left alone, so retrying is safe."""
    now = timezone.now()
    taken = ScoringJob.objects.filter(pk=job_id, status=ScoringJobStatus.QUEUED).update(
        status=ScoringJobStatus.RUNNING, started_at=now)
    if not taken:
        return
    job = ScoringJob.objects.select_related("requested_by").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        # Inside the run's final transaction a write would stay invisible until the end
        # (and would lengthen the lock): report only the stages before it, and say
        # "writing" as soon as the models are done.
        shown = "write" if stage == "model" and done >= total else stage
        if shown != job.stage and not connection.in_atomic_block:
            job.stage = shown
            ScoringJob.objects.filter(pk=job_id).update(stage=shown)

    actor = job.requested_by if job.requested_by and may_configure(job.requested_by) else None
    try:
        run = scoring_run(actor=actor, as_of=job.as_of, progress=progress)
    except Exception as error:  # noqa: BLE001 — whatever went wrong is shown on the job, not lost in a thread
        logger.exception("scoring job %s failed", job_id)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"
        ScoringJob.objects.filter(pk=job_id).update(status=ScoringJobStatus.FAILED, finished_at=timezone.now(),
                                                    error=message[:2000])
        return
    ScoringJob.objects.filter(pk=job_id).update(status=ScoringJobStatus.DONE, finished_at=timezone.now(), run=run,
                                                stage="")
