"""Model fields shared across apps."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models


class BoundedTextField(models.TextField):
    """A TextField whose max_length is enforced by model validation.

    Django's TextField only passes max_length to the form widget, so services validating
    with full_clean() would accept a 10 MB note; this one rejects it with a field error.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))


class EncryptedTextField(BoundedTextField):
    """Text stored encrypted (AES-GCM, see kehu.core.crypto); reads return the plaintext.

    For the fields `kehu.customers.sections` classes as sensitive. Such a column can't be
    filtered on; exact lookups go through a keyed hash (`Keyring.blind_index`).
    """

    def contribute_to_class(self, cls: type[models.Model], name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.label_lower}.{name}"

    def get_prep_value(self, value: Any) -> Any:
        from kehu.core.crypto import keyring

        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return keyring().encrypt(str(value), context=self.crypto_context)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        from kehu.core.crypto import PREFIX, keyring

        if isinstance(value, str) and value.startswith(PREFIX):
            return keyring().decrypt(value, context=self.crypto_context)
        return value
