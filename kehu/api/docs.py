"""Swagger UI served entirely from this server.

ninja renders its local-asset template only when "ninja" is in INSTALLED_APPS and falls
back to a CDN otherwise. kehu must work offline and must not leak its users' browsing
to a CDN, so we render our own page and serve the Swagger assets that ship inside the
ninja package from a small allow-listed view.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = frozenset(
    {
        "swagger-ui-bundle.js",
        "swagger-ui-bundle.js.map",
        "swagger-ui-init.js",
        "swagger-ui.css",
        "swagger-ui.css.map",
        "favicon.png",
        "favicon.svg",
    }
)
_ONE_DAY = 86400


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": json.dumps(settings, indent=1), "api": api, "add_csrf": True}
        return render(request, "api/swagger.html", context)


@require_safe
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".map"):
        content_type = "application/json"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={_ONE_DAY}"
    return response
