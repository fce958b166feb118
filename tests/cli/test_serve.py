import socket
import threading
import urllib.request

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import CommandError

from kehu.cli.server import make_server


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "port must be from 1 to 65535, not 70000"),
        (["--port", "0"], "port must be from 1 to 65535, not 0"),
        (["--port", "http"], "port must be a whole number from 1 to 65535, not 'http'"),
        (["--threads", "0"], "expected a number of at least 1, not 0"),
    ],
)
def test_serve_rejects_bad_arguments_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", *args)


def test_serve_reports_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("serve", "--port", str(port))


def _static_paths() -> list[str]:
    """One JS file shipped by a dependency, plus kehu's own CSS/JS when present."""
    paths = ["django_htmx/htmx-2.min.js"]
    for finder in finders.get_finders():
        for path, _storage in finder.list([]):
            if path.endswith((".css", ".js")) and not path.startswith("django_htmx/"):
                paths.append(path.replace("\\", "/"))
                if len(paths) > 4:
                    return paths
    return paths


def test_waitress_serves_static_files_without_collectstatic():
    server = make_server(host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for path in _static_paths():
            url = f"http://127.0.0.1:{server.effective_port}/static/{path}"
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local test URL
                assert response.status == 200, url
                assert response.read(1), url
                content_type = response.headers["Content-Type"]
                assert ("css" if path.endswith(".css") else "javascript") in content_type, (url, content_type)
    finally:
        server.close()
        thread.join(timeout=5)
