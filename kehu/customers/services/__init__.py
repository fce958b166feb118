"""Every write to the archive. Views, the API, importers and commands call these."""

from kehu.customers.services.consent import (
    ConsentData,
    consent_record,
    consent_withdraw,
    erase_sensitive_without_consent,
)
from kehu.customers.services.custom_fields import (
    custom_field_define,
    custom_field_update,
    validate_custom_values,
)
from kehu.customers.services.customers import (
    ContactPointData,
    customer_create,
    customer_delete,
    customer_update,
    profile_update,
)
from kehu.customers.services.links import (
    contact_point_add,
    contact_point_delete,
    contact_point_update,
    family_member_add,
    family_member_delete,
    family_member_update,
    important_date_add,
    important_date_delete,
    important_date_update,
    relationship_add,
    relationship_delete,
    relationship_update,
)

__all__ = [
    "ConsentData",
    "consent_record",
    "consent_withdraw",
    "erase_sensitive_without_consent",
    "ContactPointData",
    "contact_point_add",
    "contact_point_delete",
    "contact_point_update",
    "custom_field_define",
    "custom_field_update",
    "customer_create",
    "customer_delete",
    "customer_update",
    "family_member_add",
    "family_member_delete",
    "family_member_update",
    "important_date_add",
    "important_date_delete",
    "important_date_update",
    "profile_update",
    "relationship_add",
    "relationship_delete",
    "relationship_update",
    "validate_custom_values",
]
