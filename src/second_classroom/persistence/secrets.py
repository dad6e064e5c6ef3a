"""The school's secret (lottery seeds, check-in codes, the default signing key): never in the log.

It comes from ``SECOND_CLASSROOM_SECRET`` (hex) or, for the embedded SQLite default, from a
``<database>.secret`` file beside the database. The file is created atomically: written to a
temporary file, flushed to disk, then hard-linked into place, which never replaces an existing
file — so processes starting together all end with the one secret that won, and nobody reads a
half-written file. An empty, short or unreadable secret is refused (``store.secret_invalid``):
everything derived from ``b""`` could be computed by anyone.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from second_classroom.core.errors import Category, ErrorCode, require
from second_classroom.policies.signing import Keyring

ENVIRONMENT_KEY = "SECOND_CLASSROOM_SECRET"
SIGNING_KEY = "SECOND_CLASSROOM_SIGNING_KEY"  # "key-id:64 hex digits of the Ed25519 seed"
MIN_SECRET_BYTES = 32  # the HMAC-SHA256 key length every derived value relies on
PRIVATE = 0o600

SECRET_INVALID = ErrorCode(
    "store.secret_invalid",
    "学校密钥无效（{source}）：{reason}；至少需要 {minimum} 字节的随机数（十六进制）",
    "The school secret is invalid ({source}): {reason}; at least {minimum} random bytes "
    "(hex) are required",
    Category.UNAVAILABLE,
)


def check_secret(secret: bytes, source: str = "secret") -> bytes:
    """``secret`` if it is long enough to key every derived value; else ``store.secret_invalid``."""
    require(
        len(secret) >= MIN_SECRET_BYTES,
        SECRET_INVALID,
        source=source,
        reason=f"{len(secret)} bytes" if secret else "empty",
        minimum=MIN_SECRET_BYTES,
    )
    return secret


def _parse(text: str, source: str) -> bytes:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise SECRET_INVALID.error(
            source=source, reason="not hexadecimal", minimum=MIN_SECRET_BYTES
        ) from None
    return check_secret(secret, source)


def secret_from_environment(school: str | None = None) -> bytes | None:
    """``SECOND_CLASSROOM_SECRET`` as hex, if set; set but empty or short is refused. For a
    ``school`` sharing a database with others, its own ``SECOND_CLASSROOM_SECRET_<SCHOOL>``
    (never the shared variable: no two schools may share a secret)."""
    key = f"{ENVIRONMENT_KEY}_{school.upper()}" if school else ENVIRONMENT_KEY
    value = os.environ.get(key)
    return None if value is None else _parse(value, key)


def is_memory(database: str | Path) -> bool:
    name = str(database)
    return name.startswith("file:") and "mode=memory" in name


def secret_path(database: str | Path) -> Path:
    return Path(f"{database}.secret")


def secret_file(database: str | Path, create: bool = True) -> bytes | None:
    """The secret kept beside an SQLite file (``<file>.secret``), created on first use unless
    ``create`` is false (then None when there is none).

    The environment variable wins, so a deployment can keep the secret out of the folder.
    """
    configured = secret_from_environment()
    if configured is not None:
        return configured
    if is_memory(database):
        return os.urandom(MIN_SECRET_BYTES)  # an in-memory database lives no longer than us
    path = secret_path(database)
    if not path.exists():
        if not create:
            return None
        _create(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SECRET_INVALID.error(
            source=str(path), reason=type(exc).__name__, minimum=MIN_SECRET_BYTES
        ) from None
    return _parse(text, str(path))


def _create(path: Path) -> None:
    """Write a new secret beside the database; if another process wins the race, keep theirs."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(os.urandom(MIN_SECRET_BYTES).hex())
            out.flush()
            os.fsync(out.fileno())
        # A hard link never replaces an existing name (rename would): the first one stays.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
        _sync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable too (a crash must not lose a secret already in use)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a platform without directory handles
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def protect_database(database: str | Path) -> None:
    """Create the SQLite file readable by its owner only (0600), like its secret, and narrow
    an existing file (and its -wal/-shm) that others could read; SQLite gives the files it
    creates later the database file's mode."""
    if str(database).startswith("file:"):
        return  # a URI: in memory, or a location the caller manages
    path = Path(database)
    with contextlib.suppress(OSError):  # cannot create it: SQLite reports why when it opens
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE))  # empty = an empty database
    for item in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            info = item.stat()
            if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
                item.chmod(PRIVATE)


def keyring_from_environment() -> Keyring | None:
    """The transcript signing key from ``SECOND_CLASSROOM_SIGNING_KEY`` ("key-id:hex seed")."""
    configured = os.environ.get(SIGNING_KEY)
    if configured is None:
        return None
    key_id, _, seed = configured.partition(":")
    try:
        raw = bytes.fromhex(seed.strip())
    except ValueError:
        raw = b""
    require(
        len(raw) == MIN_SECRET_BYTES,
        SECRET_INVALID,
        source=SIGNING_KEY,
        reason="expected key-id:64 hex digits",
        minimum=MIN_SECRET_BYTES,
    )
    return Keyring.from_seed(raw, key_id.strip() or None)
