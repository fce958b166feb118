"""kehu daily: the once-a-day housekeeping (run it from cron or a timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kehu.customers.services import erase_sensitive_without_consent
from kehu.insights.retention import prune_snapshots
from kehu.privacy.services import apply_retention, overdue_requests
from kehu.sales.stats import refresh_all_balances


class Command(BaseCommand):
    help = "Daily housekeeping: erase sensitive data without consent, apply retention periods, prune old scoring snapshots, list overdue requests."

    def handle(self, *args, **options) -> None:
        cleaned = erase_sensitive_without_consent(actor=None)
        self.stdout.write(f"Sensitive fields erased (consent withdrawn): {cleaned} files")
        retention = apply_retention()
        self.stdout.write(
            f"Retention: {retention['anonymised']} files anonymised, "
            f"{retention['communications_blanked']} communication texts blanked, "
            f"{retention['import_errors_blanked']} import error lists blanked"
        )
        refreshed = refresh_all_balances()
        self.stdout.write(f"Balances refreshed (invoices falling due): {refreshed} customers")
        pruned = prune_snapshots()
        self.stdout.write(
            f"Scoring snapshots past retention: {len(pruned.runs)} runs, {pruned.snapshots} rows removed"
        )
        overdue = list(overdue_requests())
        self.stdout.write(f"Overdue data-subject requests: {len(overdue)}")
        for request in overdue:
            self.stdout.write(
                f"  #{request.pk} {request.kind} for customer {request.customer_id}, due {request.due_on}"
            )
