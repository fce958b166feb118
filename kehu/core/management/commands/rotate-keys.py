"""kehu rotate-keys: add a new encryption key and re-encrypt every sensitive value with it."""

from __future__ import annotations

import os
import secrets
import sys

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kehu.core.crypto import key_file, keyring, reset_keyring_cache, write_key_file
from kehu.core.fields import EncryptedTextField

BATCH = 1000


class Command(BaseCommand):
    help = "Add a new encryption key (keys.json in the data directory) and re-encrypt all sensitive values with it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reencrypt-only", action="store_true",
                            help="keep the keys as they are (e.g. after adding one to KEHU_ENCRYPTION_KEYS)")

    def handle(self, *args, reencrypt_only: bool, **options) -> None:
        if not reencrypt_only:
            if os.environ.get("KEHU_ENCRYPTION_KEYS"):
                raise CommandError("Keys come from KEHU_ENCRYPTION_KEYS: add the new key there, then run --reencrypt-only.")
            keys = dict(keyring().keys)
            keys[max(keys) + 1] = secrets.token_bytes(32)
            write_key_file(key_file(), keys)
            reset_keyring_cache()
            self.stdout.write(f"Added key {max(keys)} to {key_file()}; keep a backup of this file with your backups.")
        current = keyring().current_id
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if fields:
                total += self._reencrypt(model, fields)
        self.stdout.write(f"Re-encrypted {total} values with key {current}.")

    def _reencrypt(self, model, fields) -> int:
        done = 0
        last_pk = None
        while True:
            rows = model.objects.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.only("pk", *[f.name for f in fields])[:BATCH])
            if not batch:
                return done
            last_pk = batch[-1].pk
            with transaction.atomic():
                for row in batch:
                    # Saving re-runs get_prep_value, which encrypts with the newest key.
                    row.save(update_fields=[f.name for f in fields])
                    done += sum(1 for f in fields if getattr(row, f.attname))
            sys.stderr.write(f"\r{model._meta.label}: {done} values")
            sys.stderr.flush()
