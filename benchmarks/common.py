"""Shared set-up of the benchmark scripts: which database, and on what machine."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data" / "sqlite"


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", default=os.environ.get("KEHU_DATABASE_URL", ""),
        help="postgres://… to benchmark PostgreSQL (default: KEHU_DATABASE_URL, else SQLite in --data-dir)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None,
        help=f"KEHU_DATA_DIR for the SQLite file, with kehu's own SQLite settings (default: {DEFAULT_DATA_DIR})",
    )


def setup_django(args: argparse.Namespace) -> None:
    """Point kehu at the benchmark database before Django loads its settings."""
    if args.database_url:
        os.environ["KEHU_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("KEHU_DATABASE_URL", None)
    data_dir = args.data_dir or (Path(os.environ["KEHU_DATA_DIR"]) if "KEHU_DATA_DIR" in os.environ else DEFAULT_DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["KEHU_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    import django

    django.setup()


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"sqlite {connection.Database.sqlite_version} ({connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"postgresql {version} ({connection.settings_dict['NAME']})"


def machine() -> dict[str, object]:
    memory_gb = None
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages * page_size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(), "memory_gb": memory_gb, "cpu": cpu, "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
