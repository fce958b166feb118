from kehu.customers.models.consent import Consent, ConsentChannel, ConsentPurpose
from kehu.customers.models.custom_fields import CustomFieldDefinition
from kehu.customers.models.customer import Customer, CustomerNumberSequence, Tag
from kehu.customers.models.links import ContactPoint, FamilyMember, ImportantDate, Relationship
from kehu.customers.models.profiles import OrganizationProfile, PersonProfile
from kehu.customers.models.search import SearchTerm

__all__ = [
    "Consent",
    "ConsentChannel",
    "ConsentPurpose",
    "ContactPoint",
    "CustomFieldDefinition",
    "Customer",
    "CustomerNumberSequence",
    "FamilyMember",
    "ImportantDate",
    "OrganizationProfile",
    "PersonProfile",
    "Relationship",
    "SearchTerm",
    "Tag",
]
