"""Fast loading of many synthetic customers, bypassing the services but not their rules.

The services write one customer per transaction with an audit row and ~15 queries;
at a million customers that is hours. Here worker processes turn `CustomerSpec`s into
rows — the same Customer, profile, ContactPoint, tag and SearchTerm rows the services
would write, with keys from `file_keys` and completeness from `completeness_of` —
and the main process inserts them in large batches (COPY on PostgreSQL).
No audit events are written: nobody did anything, a generator did.
"""

from __future__ import annotations

import datetime
import functools
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, models, transaction
from django.utils import timezone

from kehu.cli.synth import specs
from kehu.cli.synth.specs import CustomerSpec
from kehu.customers.completeness import completeness_of
from kehu.customers.models import (
    ContactPoint,
    Customer,
    CustomerNumberSequence,
    OrganizationProfile,
    PersonProfile,
    SearchTerm,
    Tag,
)
from kehu.customers.search import file_keys

ORGANIZATION_SHARE = 0.1
PARALLEL_THRESHOLD = 20_000


def search_keys_for(spec: CustomerSpec, number: str) -> set[str]:
    """The keys the services compute for this customer: the same `file_keys`."""
    return file_keys(
        name=spec.name, number=number, person=spec.is_person, contact_points=spec.contact_points, profile=spec.profile
    )


class _Exists:
    def __init__(self, value: bool) -> None:
        self.value = value

    def exists(self) -> bool:
        return self.value


class _Draft:
    """Just enough of a Customer for `completeness_of`, without touching the database."""

    def __init__(self, spec: CustomerSpec, profile: PersonProfile | OrganizationProfile) -> None:
        self.kind = spec.kind
        self.is_person = spec.is_person
        self.pk = 0
        self.person = self.organization = profile
        self.source_channel = spec.source_channel
        self.last_verified_on = None
        self.tags = _Exists(bool(spec.tags))
        self.family_members = _Exists(False)


def completeness_for(spec: CustomerSpec) -> tuple[int, dict[str, int]]:
    profile = PersonProfile(**spec.profile) if spec.is_person else OrganizationProfile(**spec.profile)
    return completeness_of(_Draft(spec, profile), contacts=spec.contact_points)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Owner:
    user_id: int | None
    team_id: int | None


@dataclass(frozen=True)
class BatchJob:
    seed: int
    index: int
    first_id: int
    first_number: int
    size: int
    owners: tuple[Owner, ...]
    pool_share: float
    now: datetime.datetime
    tag_ids: tuple[tuple[str, int], ...] = ()


class _Table:
    """Encodes plain dicts into database-ready tuples for one model's table.

    Values go through each field's own `get_db_prep_save`, and unset fields get the
    field's default, so rows match what the ORM would insert — at a fraction of its cost.
    """

    def __init__(self, model: type[models.Model], *, skip_id: bool = True) -> None:
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if not (skip_id and f.attname == "id")]
        self.columns = [f.column for f in self.fields]
        # Most columns of a wide profile row keep their default: encode each default once.
        self.defaults = [f.get_db_prep_save(f.get_default(), connection) for f in self.fields]

    def encode(self, values: dict[str, Any]) -> tuple:
        return tuple(
            f.get_db_prep_save(values[f.attname], connection) if f.attname in values else default
            for f, default in zip(self.fields, self.defaults, strict=True)
        )


_TABLES: dict[str, _Table] = {}


def _table(name: str) -> _Table:
    if not _TABLES:
        _TABLES.update(
            customer=_Table(Customer, skip_id=False), person=_Table(PersonProfile), organization=_Table(OrganizationProfile),
            contact=_Table(ContactPoint), tag=_Table(Customer.tags.through), term=_Table(SearchTerm),
        )
    return _TABLES[name]


# Insert order respects foreign keys: customers first.
TABLE_ORDER = ("customer", "person", "organization", "contact", "tag", "term")


@dataclass
class BatchRows:
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in TABLE_ORDER})

    @property
    def customers(self) -> int:
        return len(self.rows["customer"])


def spec_for(rng: random.Random, customer_id: int, today: datetime.date) -> CustomerSpec:
    if rng.random() < ORGANIZATION_SHARE:
        return specs.organization(rng, serial=customer_id, today=today)
    return specs.person(rng, today=today)


def _memoize_pinyin() -> None:
    """Cache pinyin readings per name in this process: names recur, and pypinyin is most of the cost.

    The cached function returns what the original returns, so keys stay identical.
    """
    from kehu.core import pinyin

    if not hasattr(pinyin.name_syllables, "cache_info"):
        pinyin.name_syllables = functools.lru_cache(maxsize=500_000)(pinyin.name_syllables)


def build_batch(job: BatchJob) -> BatchRows:
    """Rows of one batch; a pure function of the job, so batches can be built anywhere."""
    _memoize_pinyin()
    rng = random.Random(f"{job.seed}-{job.index}")
    batch = BatchRows()
    out = batch.rows
    today = job.now.date()
    tag_ids = dict(job.tag_ids)
    for offset in range(job.size):
        customer_id = job.first_id + offset
        number = f"KH{job.first_number + offset:08d}"
        spec = spec_for(rng, customer_id, today)
        owner = Owner(None, None) if rng.random() < job.pool_share or not job.owners else rng.choice(job.owners)
        created = job.now - datetime.timedelta(seconds=rng.randrange(5 * 365 * 86400))
        completeness, by_section = completeness_for(spec)
        out["customer"].append(_table("customer").encode({
            "id": customer_id, "kind": spec.kind, "number": number, "name": spec.name, "status": spec.status,
            "owner_id": owner.user_id, "team_id": owner.team_id, "source_channel": spec.source_channel,
            "completeness": completeness, "completeness_by_section": by_section,
            "created_at": created, "updated_at": created,
        }))
        out[spec.kind].append(_table(spec.kind).encode({"customer_id": customer_id, **spec.profile}))
        for i, (type_, value) in enumerate(spec.contact_points):
            out["contact"].append(
                _table("contact").encode({"customer_id": customer_id, "type": type_, "value": value, "preferred": i == 0})
            )
        for name in spec.tags:
            out["tag"].append(_table("tag").encode({"customer_id": customer_id, "tag_id": tag_ids[name]}))
        out["term"].extend((customer_id, key) for key in sorted(search_keys_for(spec, number)))
    return batch


def _insert(table: _Table, rows: Sequence[tuple]) -> None:
    if not rows:
        return
    columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table.table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["?"] * len(table.columns))
        # The raw sqlite3 cursor: Django's wrapper would rewrite the SQL's placeholders per call.
        sql = f"INSERT INTO {table.table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from model metadata
        connection.connection.executemany(sql, rows)


def write_batch(batch: BatchRows) -> None:
    with transaction.atomic():
        for name in TABLE_ORDER:
            _insert(_table(name), batch.rows[name])


@dataclass(frozen=True)
class LoadResult:
    customers: int
    first_id: int
    search_terms: int
    seconds: float


def _jobs(*, seed: int, count: int, batch_size: int, first_id: int, first_number: int, owners, pool_share, now, tag_ids):
    for index, start in enumerate(range(0, count, batch_size)):
        yield BatchJob(
            seed=seed, index=index, first_id=first_id + start, first_number=first_number + start,
            size=min(batch_size, count - start), owners=tuple(owners), pool_share=pool_share, now=now,
            tag_ids=tuple(sorted(tag_ids.items())),
        )


def _prepare_connection() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A large page cache keeps the growing search index in memory during the load.
            cursor.execute("PRAGMA cache_size=-1048576")
        else:
            cursor.execute("SET synchronous_commit TO off")


def load(
    *,
    count: int,
    seed: int,
    owners: Sequence[Owner],
    pool_share: float = 0.2,
    batch_size: int = 5000,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Append `count` customers; deterministic for a seed on an empty archive."""
    started = timezone.now()
    for name in specs.TAGS:
        Tag.objects.get_or_create(name=name)
    tag_ids = dict(Tag.objects.filter(name__in=specs.TAGS).values_list("name", "id"))
    first_id = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    sequence, _created = CustomerNumberSequence.objects.get_or_create(pk=1)
    first_number = sequence.value + 1
    jobs = list(_jobs(
        seed=seed, count=count, batch_size=batch_size, first_id=first_id, first_number=first_number,
        owners=owners, pool_share=pool_share, now=started, tag_ids=tag_ids,
    ))
    if workers is None:
        # Worker processes pay off only for large loads; and they need the connection closed,
        # which must not happen inside a transaction (a test, or a caller's atomic block).
        workers = (os.cpu_count() or 1) if count >= PARALLEL_THRESHOLD else 1
    if connection.in_atomic_block:
        workers = 1
    done = terms = 0
    for rows in _built(jobs, workers):
        write_batch(rows)
        done += rows.customers
        terms += len(rows.rows["term"])
        if progress:
            progress(done, count)
    # Continue the numbering and the id sequence after what was written.
    CustomerNumberSequence.objects.filter(pk=1).update(value=first_number + count - 1)
    _reset_sequences()
    return LoadResult(count, first_id, terms, (timezone.now() - started).total_seconds())


def _built(jobs: list[BatchJob], workers: int) -> Iterator[BatchRows]:
    if workers <= 1 or len(jobs) <= 1:
        _prepare_connection()
        yield from map(build_batch, jobs)
        return
    # Forked children inherit the database socket; close it first so no child can ever
    # touch (or, on exit, terminate) the parent's session. Workers never use the database.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        _prepare_connection()
        yield from pool.imap(build_batch, jobs, chunksize=1)


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [Customer, ContactPoint, SearchTerm, Customer.tags.through])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyze() -> None:
    """Refresh planner statistics, as one would after any bulk load.

    On PostgreSQL also VACUUM: rows written by COPY are not yet marked all-visible, so
    until (auto)vacuum runs, the planner cannot use index-only scans on the search terms.
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
