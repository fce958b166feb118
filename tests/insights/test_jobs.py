"""Scoring jobs: the real background thread, retries, failures and stale jobs."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.utils import timezone

from kehu.insights import jobs
from kehu.insights.models import ScoringJob, ScoringRun


@pytest.mark.django_db(transaction=True)
def test_a_started_job_runs_in_a_thread_after_commit(settings, manager):
    settings.KEHU_SCORING_IN_BACKGROUND = True
    job = jobs.scoring_job_start(actor=manager, as_of=datetime.date(2025, 6, 30))
    assert job.status == "queued"  # the request answers before the work is done
    worker = next(t for t in threading.enumerate() if t.name == f"kehu-scoring-{job.pk}")
    worker.join(timeout=120)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.run == ScoringRun.objects.get(as_of=datetime.date(2025, 6, 30))
    assert job.started_at and job.finished_at and job.stage == ""


@pytest.mark.django_db
def test_running_a_job_twice_does_nothing_the_second_time(manager):
    job = jobs.scoring_job_start(actor=manager, as_of=datetime.date(2025, 6, 30))
    finished = ScoringJob.objects.get(pk=job.pk).finished_at
    jobs.scoring_job_execute(job.pk)
    assert ScoringJob.objects.get(pk=job.pk).finished_at == finished
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_a_failure_is_recorded_on_the_job(manager, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "scoring_run", broken)
    job = jobs.scoring_job_start(actor=manager)
    assert job.status == "failed" and job.error == "RuntimeError: disk full" and job.finished_at
    assert jobs.active_job() is None


@pytest.mark.django_db
def test_a_stale_job_no_longer_blocks(manager):
    stale = ScoringJob.objects.create(as_of=datetime.date(2025, 1, 1), status="running", requested_by=manager,
                                      requested_at=timezone.now() - jobs.STALE_AFTER - datetime.timedelta(minutes=1))
    assert jobs.is_stale(stale) and jobs.active_job() is None
    assert jobs.scoring_job_start(actor=manager, as_of=datetime.date(2025, 6, 30)).status == "done"


@pytest.mark.django_db
def test_only_configurers_start_jobs(sales, analyst):
    from django.core.exceptions import PermissionDenied

    for actor in (sales, analyst):
        with pytest.raises(PermissionDenied):
            jobs.scoring_job_start(actor=actor)
    assert not ScoringJob.objects.exists()
