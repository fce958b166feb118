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
            models.Index(fields=["customer"], name="search_term_customer"),
        ]
