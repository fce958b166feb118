"""Erasing a person from the archive while the business keeps its figures.

Orders, payments and receivables stay (amounts, dates, categories: the aggregates), tied
to a file that no longer says who it was. Everything that identifies or describes the
person goes: name, contact points, profile, family, relationships, dates, notes, custom
fields, tags, free text of communications, service records, receivables, credit incidents and tier
overrides, search keys, the personal data inside audit payloads (the hash chain stays
verifiable), and the cells of past import error lists that name them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.services import audit, redact_payloads
from kehu.customers.models import (
    Consent,
    ContactPoint,
    Customer,
    FamilyMember,
    ImportantDate,
    OrganizationProfile,
    PersonProfile,
    Relationship,
    Tag,
)
from kehu.customers.services.common import refresh_derived
from kehu.insights.models import TierChange, TierOverride
from kehu.interactions.models import Interaction
from kehu.quality.redaction import forget_in_import_errors
from kehu.sales.models import CreditIncident, Order, Payment, Receivable
from kehu.service.models import ServiceRecord


@transaction.atomic
def customer_anonymise(*, actor: User | None, customer: Customer, reason: str) -> Customer:
    """Anonymise `customer` in place. The caller has checked the actor may do this."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    links = Relationship.objects.filter(from_customer=customer) | Relationship.objects.filter(
        to_customer=customer
    )
    elsewhere = [("customers.relationship", pk) for pk in links.values_list("pk", flat=True)]
    elsewhere += [
        ("customers.familymember", pk)
        for pk in FamilyMember.objects.filter(linked_customer=customer).values_list("pk", flat=True)
    ]
    identifiers = _identifiers(customer)
    ContactPoint.objects.filter(customer=customer).delete()
    FamilyMember.objects.filter(customer=customer).delete()
    FamilyMember.objects.filter(linked_customer=customer).update(linked_customer=None)
    ImportantDate.objects.filter(customer=customer).delete()
    Relationship.objects.filter(from_customer=customer).delete()
    Relationship.objects.filter(to_customer=customer).delete()
    Consent.objects.filter(customer=customer).update(guardian_name="", evidence="")
    PersonProfile.objects.filter(customer=customer).delete()
    OrganizationProfile.objects.filter(customer=customer).delete()
    if customer.is_person:
        PersonProfile.objects.create(customer=customer)
    else:
        OrganizationProfile.objects.create(customer=customer)
    Interaction.objects.filter(customer=customer).update(
        subject="", content="", customer_needs="", next_step=""
    )
    Interaction.people.through.objects.filter(customer_id=customer.pk).delete()
    ServiceRecord.objects.filter(customer=customer).update(problem="", diagnosis="", result="", product="")
    Order.objects.filter(customer=customer).update(notes="")
    Payment.objects.filter(customer=customer).update(reference="")
    Receivable.objects.filter(customer=customer).update(description="")
    CreditIncident.objects.filter(customer=customer).update(description="")
    # Why someone was put in a tier by hand is free text about them; the fact and the dates stay.
    TierOverride.objects.filter(customer=customer).update(reason="")
    TierChange.objects.filter(customer=customer).update(reason="")
    tag_ids = list(customer.tags.values_list("pk", flat=True))
    customer.tags.clear()
    # A tag only this person carried may itself describe them: it goes with them.
    Tag.objects.filter(pk__in=tag_ids, customers__isnull=True).delete()
    customer.name = f"— #{customer.pk}"
    customer.notes = ""
    customer.custom_fields = {}
    customer.source_detail = ""
    customer.status = "archived"
    customer.owner = None
    customer.last_verified_on = None
    customer.updated_at = timezone.now()
    customer.save()
    refresh_derived(customer)
    redact_payloads(customer_id=customer.pk, objects=elsewhere)
    forget_in_import_errors(identifiers)
    audit(
        actor=actor,
        action="privacy.anonymise",
        target=customer,
        customer_id=customer.pk,
        changes={"reason": reason[:200]},
    )
    return customer


def _identifiers(customer: Customer) -> list[str]:
    """What could name this person in a cell of an old import file."""
    values = [customer.name, *ContactPoint.objects.filter(customer=customer).values_list("value", flat=True)]
    person = PersonProfile.objects.filter(customer=customer).first()
    if person is not None:
        values += [person.id_number, person.english_name]
    organisation = OrganizationProfile.objects.filter(customer=customer).first()
    if organisation is not None:
        values += [organisation.legal_name, organisation.credit_code or "", organisation.phone]
    return values
