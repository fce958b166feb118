from __future__ import annotations

from django.db import models

from kehu.customers.models.customer import Customer

TERM_MAX_LENGTH = 64


class SearchTerm(models.Model):
    """Search keys of a customer, matched by prefix through a B-tree index.

    Holding every suffix of a Chinese name lets a prefix match find any substring,
    including the one- and two-character queries that trigram indexes miss.
    See `kehu.customers.search`.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    term = models.CharField(max_length=TERM_MAX_LENGTH)

    class Meta:
        indexes = [
            models.Index(fields=["term", "customer"], name="search_term_prefix"),
            # Serves both a customer's keys (refresh, erasure, cascade) and the per-customer
            # probe of a broad search word (customer = ? AND term in range).
            models.Index(fields=["customer", "term"], name="search_term_customer_term"),
        ]
