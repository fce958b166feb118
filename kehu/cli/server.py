"""The production web server behind `kehu serve`: waitress, pure Python, multi-threaded."""

from __future__ import annotations

from typing import Any

from django.conf import settings

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def make_server(*, host: str, port: int, threads: int) -> Any:
    """A bound waitress server for kehu's WSGI application; raises OSError if it cannot listen."""
    from waitress.server import create_server

    from kehu.wsgi import application

    # ident: do not advertise the server software in the Server header.
    return create_server(application, host=host, port=port, threads=threads, ident="kehu")


def url_of(server: Any, host: str) -> str:
    port = server.effective_port
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - a display name, not a bind address
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def allowed_hosts_hint(host: str) -> str | None:
    """Advice when the server listens beyond this machine but KEHU_ALLOWED_HOSTS is the local default."""
    if host in LOCAL_HOSTS or "*" in settings.ALLOWED_HOSTS:
        return None
    if set(settings.ALLOWED_HOSTS) <= LOCAL_HOSTS:
        return (
            "Listening on all interfaces, but KEHU_ALLOWED_HOSTS only allows local names: set it to the names "
            "clients use (e.g. KEHU_ALLOWED_HOSTS=crm.example.com) or they will get 400 Bad Request."
        )
    return None
