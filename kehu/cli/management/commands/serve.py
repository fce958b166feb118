"""`kehu serve`: run kehu under waitress, a production WSGI server."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.cli.arguments import port_number, positive_int
from kehu.cli.server import allowed_hosts_hint, make_server, url_of

DEFAULT_THREADS = 8


def add_server_arguments(parser: CommandParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    parser.add_argument("--port", type=port_number, default=8000, help="TCP port (default 8000)")
    parser.add_argument(
        "--threads", type=positive_int, default=DEFAULT_THREADS,
        help=f"worker threads handling requests (default {DEFAULT_THREADS})",
    )


def serve(command: BaseCommand, *, host: str, port: int, threads: int) -> None:
    try:
        server = make_server(host=host, port=port, threads=threads)
    except OSError as error:
        raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    from kehu.quality.importing.background import mark_interrupted

    cut_off = mark_interrupted()
    if cut_off:
        command.stderr.write(command.style.WARNING(f"{cut_off} import(s) were cut off by the last stop; marked interrupted."))
    hint = allowed_hosts_hint(host)
    if hint:
        command.stderr.write(command.style.WARNING(hint))
    command.stdout.write(command.style.SUCCESS(f"kehu is serving on {url_of(server, host)}") + "  (Ctrl+C stops it)")
    try:
        server.run()
    except KeyboardInterrupt:
        command.stdout.write("Stopped.")
    finally:
        server.close()


class Command(BaseCommand):
    help = "Serve kehu with waitress (production WSGI server); static files are served by WhiteNoise."

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args, host: str, port: int, threads: int, **options) -> None:
        serve(self, host=host, port=port, threads=threads)
