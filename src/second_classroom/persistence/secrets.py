"""The school's secret (lottery seeds now, signed check-in codes later): never in the log."""

from __future__ import annotations

import os
from pathlib import Path

from second_classroom.policies.signing import Keyring

ENVIRONMENT_KEY = "SECOND_CLASSROOM_SECRET"


def secret_from_environment() -> bytes | None:
    """``SECOND_CLASSROOM_SECRET`` as hex, if set."""
    value = os.environ.get(ENVIRONMENT_KEY)
    return bytes.fromhex(value) if value else None


def secret_file(database: str | Path) -> bytes:
    """The secret kept beside an SQLite file (``<file>.secret``), created on first use.

    The environment variable wins, so a deployment can keep the secret out of the folder.
    """
    configured = secret_from_environment()
    if configured is not None:
        return configured
    if str(database).startswith("file:") and "mode=memory" in str(database):
        return os.urandom(32)  # an in-memory database lives no longer than this process
    path = Path(f"{database}.secret")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(os.urandom(32).hex())
    return bytes.fromhex(path.read_text().strip())


SIGNING_KEY = "SECOND_CLASSROOM_SIGNING_KEY"  # "key-id:64 hex digits of the Ed25519 seed"
OLDER_KEYS = "SECOND_CLASSROOM_VERIFY_KEYS"  # "key-id:hex public key,..." after a rotation


def keyring_from_environment() -> Keyring | None:
    """The transcript signing key from the environment, if configured."""
    configured = os.environ.get(SIGNING_KEY)
    if not configured:
        return None
    key_id, _, seed = configured.partition(":")
    older = {}
    for item in filter(None, os.environ.get(OLDER_KEYS, "").split(",")):
        kid, _, public = item.partition(":")
        older[kid.strip()] = bytes.fromhex(public.strip())
    return Keyring.from_seed(bytes.fromhex(seed), key_id or None, older)
