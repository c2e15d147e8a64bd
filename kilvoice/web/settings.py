"""Web app settings, validated; the secret key lives in the project folder and defaults are refused."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from kilvoice.errors import KilvoiceError

SECRET_FILE = "web_secret.key"
# Secrets that appear in tutorials and templates: never accepted.
KNOWN_DEFAULTS = {"", "secret", "changeme", "change-me", "changethis", "secret-key", "secret_key", "dev", "development",
                  "password", "kilvoice", "insecure", "default", "test", "key"}
MIN_SECRET_LEN = 32
UPLOAD_SUFFIXES = (".txt", ".md", ".docx", ".csv", ".xlsx", ".pdf", ".vtt", ".srt")


@dataclass
class LoginLimits:
    """Failed-login throttling, applied per account name and per client address (docs/WEB.md)."""

    delay_after: int = 3               # from this many failures, each attempt waits ...
    delay_base_seconds: float = 1.0    # ... this long, doubling with each further failure ...
    delay_max_seconds: float = 60.0    # ... up to this
    lock_after: int = 10               # this many failures within the window lock the key ...
    window_minutes: float = 15.0
    lockout_minutes: float = 15.0      # ... for this long (even the right password is refused)

    def __post_init__(self):
        for name in ("delay_after", "lock_after"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise KilvoiceError("K820", setting=name, problem="must be a whole number of at least 1")
        for name in ("delay_base_seconds", "delay_max_seconds", "window_minutes", "lockout_minutes"):
            if not getattr(self, name) > 0:
                raise KilvoiceError("K820", setting=name, problem="must be more than 0")
        if self.delay_max_seconds < self.delay_base_seconds:
            raise KilvoiceError("K820", setting="delay_max_seconds", problem="must be at least delay_base_seconds")


@dataclass
class Settings:
    """What a deployment can change. ``secure_cookies=None`` means: Secure when the request is https."""

    max_upload_mb: float = 20.0
    secure_cookies: bool | None = None
    session_hours: float = 12.0
    secret_key: str | None = None        # None: read or create ``<project>/web_secret.key``
    pipeline: str | None = None          # None: ``<project>/pipeline.toml`` (created on first run)
    upload_suffixes: tuple[str, ...] = UPLOAD_SUFFIXES
    run_in_thread: bool = True           # analysis runs in a background thread (never in a request)
    login: LoginLimits = field(default_factory=LoginLimits)  # failed-login delays and lockouts
    extra: dict = field(default_factory=dict)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def check_secret(secret: str, path: Path) -> str:
    if secret.strip().lower() in KNOWN_DEFAULTS:
        raise KilvoiceError("K805", problem="is a well-known default", path=path)
    if len(secret) < MIN_SECRET_LEN:
        raise KilvoiceError("K805", problem=f"is shorter than {MIN_SECRET_LEN} characters", path=path)
    return secret


def load_secret(project_dir: Path, given: str | None = None) -> str:
    """The secret key: ``given``, else ``<project>/web_secret.key`` (made random, mode 0600, on first use)."""
    path = Path(project_dir) / SECRET_FILE
    if given is not None:
        return check_secret(given, path)
    if not path.exists():
        project_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return check_secret(path.read_text(encoding="utf-8").strip(), path)
