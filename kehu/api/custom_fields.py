"""/api/custom-fields: the admin-defined fields of customer files.

Everyone signed in may read the definitions (clients need them to show and validate
`custom_fields`); only configuring roles may change them, which the services enforce.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from kehu.api.lookups import actor_of
from kehu.api.schemas.admin import CustomFieldIn, CustomFieldOut, CustomFieldPatch
from kehu.api.schemas.common import AUTH_ERRORS, WRITE_ERRORS, PathId
from kehu.customers.models import CustomFieldDefinition
from kehu.customers.services import custom_field_define, custom_field_update

router = Router(tags=["custom fields"])


@router.get("/custom-fields", response={200: list[CustomFieldOut], **AUTH_ERRORS})
def list_custom_fields(request: HttpRequest) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.all())


@router.post("/custom-fields", response={201: CustomFieldOut, **WRITE_ERRORS})
def define_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Status:
    return Status(201, custom_field_define(actor=actor_of(request), values=payload.model_dump()))


@router.patch("/custom-fields/{field_id}", response={200: CustomFieldOut, **WRITE_ERRORS})
def update_custom_field(request: HttpRequest, field_id: PathId, payload: CustomFieldPatch) -> Any:
    definition = CustomFieldDefinition.objects.filter(pk=field_id).first()
    if definition is None:
        raise Http404
    values = payload.model_dump(exclude_unset=True)
    return custom_field_update(actor=actor_of(request), definition=definition, values=values)
