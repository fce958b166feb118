"""Sensitive fields (PIPL art. 28) are encrypted at rest and found only through keyed hashes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kehu.core.crypto import DecryptionError, keyring
from kehu.core.fields import EncryptedTextField
from kehu.core.idcard import mask_id_number, normalize_id_number
from kehu.customers.models import OrganizationProfile, PersonProfile
from kehu.customers.sections import ORGANIZATION_SECTIONS, PERSON_SECTIONS, DataClass
from kehu.customers.selectors import CustomerFilters, customer_list
from kehu.customers.services import consent_record, profile_update
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"


@pytest.mark.parametrize(("model", "sections"), [(PersonProfile, PERSON_SECTIONS), (OrganizationProfile, ORGANIZATION_SECTIONS)])
def test_every_field_classed_sensitive_is_encrypted(model, sections):
    for section in sections:
        for field in section.fields:
            encrypted = isinstance(model._meta.get_field(field.name), EncryptedTextField)
            assert encrypted == (field.data_class == DataClass.SENSITIVE), field.name


def test_raw_columns_hold_no_plaintext(sales):
    customer = make_person(sales, profile={"health_notes": "CANARY-糖尿病", "beliefs": "CANARY-信仰", "blood_type": "AB",
                                            "id_number": ID_NUMBER.lower()}, consents=[SENSITIVE_CONSENT])
    person = PersonProfile.objects.get(pk=customer.pk)
    assert (person.health_notes, person.beliefs, person.blood_type, person.id_number) == (
        "CANARY-糖尿病", "CANARY-信仰", "AB", ID_NUMBER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT health_notes, beliefs, blood_type, id_number, id_number_index FROM customers_personprofile")
        raw = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in raw[:4])
    assert not any("CANARY" in value or ID_NUMBER in value or value == "AB" for value in raw)


def test_id_number_found_by_exact_number_only(sales, outsider):
    customer = make_person(sales, profile={"id_number": ID_NUMBER}, consents=[SENSITIVE_CONSENT])
    assert list(customer_list(viewer=sales, filters=CustomerFilters(query=ID_NUMBER.lower()))) == [customer]
    assert not customer_list(viewer=sales, filters=CustomerFilters(query=ID_NUMBER[:10])).exists()
    assert not customer_list(viewer=outsider, filters=CustomerFilters(query=ID_NUMBER)).exists()


@pytest.mark.parametrize(("raw", "fragment"), [
    ("110105194912310021", "check digit"), ("11010519491331002X", "does not exist"), ("1101051949", "17 digits"),
])
def test_bad_id_numbers(sales, customer, raw, fragment):
    consent_record(actor=sales, customer=customer, data=SENSITIVE_CONSENT)
    with pytest.raises(ValidationError) as excinfo:
        profile_update(actor=sales, customer=customer, values={"id_number": raw})
    assert fragment in excinfo.value.message_dict["profile.id_number"][0]


def test_masking_and_normalising():
    assert normalize_id_number(" 11010519491231002x ") == ID_NUMBER
    assert mask_id_number(ID_NUMBER) == "110***********002X"


def test_ciphertext_is_bound_to_its_column():
    token = keyring().encrypt("secret", context="customers.personprofile.health_notes")
    assert keyring().decrypt(token, context="customers.personprofile.health_notes") == "secret"
    with pytest.raises(DecryptionError):
        keyring().decrypt(token, context="customers.personprofile.beliefs")
    with pytest.raises(DecryptionError):
        keyring().decrypt(token[:-4] + "AAAA", context="customers.personprofile.health_notes")


def test_rotate_keys_reencrypts_and_old_values_stay_readable(sales, settings, tmp_path, monkeypatch, capsys):
    from django.core.management import call_command

    from kehu.core.crypto import reset_keyring_cache

    monkeypatch.delenv("KEHU_ENCRYPTION_KEYS", raising=False)
    settings.DATA_DIR = tmp_path
    reset_keyring_cache()
    try:
        customer = make_person(sales, profile={"health_notes": "旧钥匙"}, consents=[SENSITIVE_CONSENT])
        call_command("rotate-keys")
        assert "Re-encrypted 1 values with key 2" in capsys.readouterr().out
        with connection.cursor() as cursor:
            cursor.execute("SELECT health_notes FROM customers_personprofile WHERE customer_id = %s", [customer.pk])
            assert cursor.fetchone()[0].startswith("enc1:2:")
        assert PersonProfile.objects.get(pk=customer.pk).health_notes == "旧钥匙"
    finally:
        reset_keyring_cache()
