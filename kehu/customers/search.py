"""Customer search: name (Chinese substring, pinyin, initials), phone, email, company, number.

Every customer has a set of search keys (`SearchTerm`); a query matches a customer when
every word of the query is a *prefix* of one of its keys. A prefix match is a range scan
on a B-tree index (`term >= q AND term < q + U+10FFFF`), fast on SQLite and PostgreSQL
alike and independent of query length. Substrings come from storing every suffix of
Chinese names (a 3-character name has 3 suffixes), so 1- and 2-character queries work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.db.models.sql.where import AND

from kehu.core.crypto import keyring
from kehu.core.idcard import looks_like_id_number, normalize_id_number
from kehu.core.phone import phone_search_keys, query_digits
from kehu.core.pinyin import full_pinyin, has_cjk, initials, is_cjk
from kehu.core.sql import one_of
from kehu.core.text import compact, fold, words
from kehu.customers.choices import PHONE_CONTACT_TYPES
from kehu.customers.models.search import TERM_MAX_LENGTH, SearchTerm

MAX_SUFFIXES = 40
# An ID card number is never a key itself: its keyed hash is, behind this prefix.
ID_NUMBER_KEY_PREFIX = "#id:"
_TOP = "\U0010ffff"


def name_keys(name: str, *, person: bool) -> set[str]:
    """Keys for a name: Chinese → every suffix + pinyin + initials; Latin → words + whole."""
    keys: set[str] = set()
    flat = compact(name)
    if not flat:
        return keys
    if has_cjk(flat):
        for start in range(min(len(flat), MAX_SUFFIXES)):
            keys.add(flat[start:])
        cjk_only = "".join(ch for ch in flat if is_cjk(ch))
        keys.add(full_pinyin(cjk_only, person=person))
        keys.add(initials(cjk_only, person=person))
        if person and len(cjk_only) >= 2:
            # Given-name pinyin: “xiaoming” finds 王小明.
            keys.add(full_pinyin(cjk_only, person=person)[len(full_pinyin(cjk_only[0], person=True)):])
    else:
        keys.add(flat)
        keys.update(words(name))
    return {k[:TERM_MAX_LENGTH] for k in keys if k}


def email_keys(email: str) -> set[str]:
    email = email.strip().lower()
    local = email.split("@", 1)[0]
    return {email[:TERM_MAX_LENGTH], local[:TERM_MAX_LENGTH]}


def customer_keys(
    *, name: str, number: str, person: bool, contact_points: Iterable[tuple[str, str]], companies: Iterable[str]
) -> set[str]:
    """All search keys of one customer; `contact_points` are (type, value) pairs."""
    keys = name_keys(name, person=person)
    keys.add(compact(number)[:TERM_MAX_LENGTH])
    for company in companies:
        keys |= name_keys(company, person=False)
    for type_, value in contact_points:
        if type_ in PHONE_CONTACT_TYPES:
            keys.update(phone_search_keys(value))
        elif type_ == "email":
            keys |= email_keys(value)
        elif type_ in ("wechat", "qq"):
            keys.add(compact(value)[:TERM_MAX_LENGTH])
    keys.discard("")
    return keys


def file_keys(
    *, name: str, number: str, person: bool, contact_points: Iterable[tuple[str, str]], profile: Mapping[str, Any]
) -> set[str]:
    """Every search key of one customer file, from its name, number, contact points and profile values.

    The one definition used by the services (`refresh_derived`) and by bulk loaders.
    """
    companies = []
    if person and profile.get("employer"):
        companies.append(profile["employer"])
    legal_name = profile.get("legal_name")
    if not person and legal_name and legal_name != name:
        companies.append(legal_name)
    keys = customer_keys(name=name, number=number, person=person, contact_points=contact_points, companies=companies)
    if not person and profile.get("credit_code"):
        keys.add(profile["credit_code"].lower())
    if person and profile.get("id_number_index"):
        keys.add(ID_NUMBER_KEY_PREFIX + profile["id_number_index"])
    return keys


def query_keys(query: str) -> list[str]:
    """The words of a query, each normalised the way keys are."""
    if looks_like_id_number(query):
        return [ID_NUMBER_KEY_PREFIX + keyring().blind_index(normalize_id_number(query), purpose="id_number")]
    digits = query_digits(query)
    if digits is not None:
        return [digits]
    keys = []
    for token in fold(query).split():
        # An e-mail address is stored as typed (lower-cased); everything else compacted.
        key = token if "@" in token else compact(token)
        if key:
            keys.append(key[:TERM_MAX_LENGTH])
    return keys[:5]


def filter_by_query(customers: QuerySet, query: str, *, walk_in_order: bool = True) -> QuerySet:
    """Narrow `customers` to those matching every word of `query`.

    Each word is matched in one of two ways, chosen by how many keys it covers:

    - a *narrow* word (fewer than BROAD_KEYS keys, e.g. a full name, a phone number, an
      e-mail, 李 in an archive of 100,000) is resolved to its customers' ids first, which go
      back as one array parameter (`one_of`): the database then knows exactly how many ids
      it has and picks the cheaper of looking each one up or walking the list's order
      against them. (Given as a subquery instead, PostgreSQL took a prefix range for a few
      hundred rows when it held fifteen thousand, and walked half the archive to fill a page.)
    - a *broad* word (张, `wang`, a mobile prefix: tens of thousands of customers) would make
      that join read and sort a large part of the archive for one page of 25 rows. Instead
      the database walks the customers in the list's order and probes each one's keys through
      the (customer, term) index until the page is full (`TermProbe`) — with 10% of the
      archive matching, about ten probes per row shown. `walk_in_order` says whether the
      list's sort has an index to walk; without one the join is the cheaper plan.
    """
    keys = query_keys(query)
    if not keys:
        return customers.none()
    for position, key in enumerate(keys):
        first_keys = list(_terms_matching(key).values_list("customer_id", flat=True)[:BROAD_KEYS])
        if len(first_keys) < BROAD_KEYS:
            customers = customers.filter(pk__in=one_of(set(first_keys))) if first_keys else customers.none()
        elif walk_in_order:
            alias = f"{PROBE_ALIAS}{position}"
            customers = customers.alias(**{alias: TermProbe(key)}).filter(**{f"{alias}__isnull": False})
        else:
            customers = customers.filter(pk__in=_terms_matching(key).values("customer_id"))
    return customers


def count_after_page(customers: QuerySet, found: int, start: int, stop: int, cap: int) -> int:
    """How many rows `customers` has (up to cap + 1), after a read of rows start..stop found
    `found`: a page that ends before `stop` ends the list and says the count; otherwise count."""
    if (0 < found < stop - start) or (found == 0 and start == 0):
        return min(start + found, cap + 1)
    return count_at_most(customers, cap)


def count_at_most(customers: QuerySet, cap: int) -> int:
    """How many rows `customers` has, counting no further than cap + 1.

    Counting through a broad word's probes would walk the archive until cap + 1 matches
    turn up. A count only needs to know whether there are more than `cap`, and the first
    keys of each broad word (COUNT_SAMPLE at least) usually prove that at once, driven from
    the term index like a narrow word; only when they do not is the full join counted.
    Both counts drop the probes themselves: every id they count already comes from the
    word's keys, so probing again would only repeat an index lookup per counted row
    (measured on 1,000,000 customers, PostgreSQL: 40% of a salesperson's count).
    """
    probes = term_probes(customers)
    if not probes:
        return customers.order_by().values("pk")[: cap + 1].count()
    counted = _without_probe_filters(customers).order_by().values("pk")
    sample = max(COUNT_SAMPLE, 8 * (cap + 1))
    sampled = counted
    for probe in probes:
        first_keys = _terms_matching(probe.key).order_by("term", "customer_id").values("customer_id")[:sample]
        sampled = sampled.filter(pk__in=first_keys)
    found = sampled[: cap + 1].count()
    if found > cap:
        return found
    for probe in probes:
        counted = counted.filter(pk__in=_terms_matching(probe.key).values("customer_id"))
    return counted[: cap + 1].count()


def term_probes(customers: QuerySet) -> list[TermProbe]:
    """The broad words of a search on `customers`, walked with probes (see filter_by_query)."""
    return [expr for expr in customers.query.annotations.values() if isinstance(expr, TermProbe)]


def _without_probe_filters(customers: QuerySet) -> QuerySet:
    """`customers` without the `probe IS NOT NULL` conditions that `filter_by_query` added.

    Only for a caller that puts each probe's key back as a condition of its own.
    """
    stripped = customers.all()
    where = stripped.query.where
    if where.connector == AND:
        where.children = [
            child for child in where.children
            if not (isinstance(child, IsNull) and isinstance(child.lhs, TermProbe) and child.rhs is False)
        ]
    return stripped


class TermProbe(Subquery):
    """`(SELECT id FROM search term WHERE customer_id = <outer customer> AND <key matches> LIMIT 1)`.

    A scalar subquery with LIMIT, unlike EXISTS, is never turned into a join by the
    PostgreSQL planner, so it stays one index probe per customer visited.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(_terms_matching(key).filter(customer_id=OuterRef("pk")).values("pk")[:1])


PROBE_ALIAS = "search_probe_"
# A word covering this many keys or more is walked with probes, not joined (see
# filter_by_query). Measured on 1,000,000 customers (benchmarks/search.py): a walk costs
# about archive × page / matches probes, a join about one lookup per match, so the two
# meet near the square root of archive × page — 10,000 to 20,000 keys there.
BROAD_KEYS = 15000
# Keys read per broad word when counting (count_at_most), at least eight per counted row:
# enough, for a salesperson who sees a quarter of the archive, to find more than the cap.
COUNT_SAMPLE = 8000


def _terms_matching(key: str) -> QuerySet:
    key = key[:TERM_MAX_LENGTH]
    in_range = Q(term__gte=key, term__lt=key + _TOP)
    if key.isdigit() and len(key) == 4:
        # Four digits are also read as the last four of a phone number (尾号).
        in_range |= Q(term="#" + key)
    return SearchTerm.objects.filter(in_range)
