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
