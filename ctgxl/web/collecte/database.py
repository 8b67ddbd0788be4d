"""Where the collection is stored: SQLite in the data folder (WAL, so that readers never wait
for a writer), or PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

# Seconds a writer waits for another one before SQLite gives up with « database is locked ».
SQLITE_BUSY_SECONDS = 30


def databases(data_dir: Path, url: str | None = None) -> dict:
    """The DATABASES setting: PostgreSQL from ``url`` (postgres://user:pass@host:port/name), else SQLite."""
    if url:
        return {"default": postgresql(url)}
    return {"default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(Path(data_dir) / "collecte.sqlite3"),
        # IMMEDIATE: a write transaction takes the lock when it starts, so two writers queue
        # (busy timeout) instead of one failing when it upgrades from read to write.
        "OPTIONS": {"timeout": SQLITE_BUSY_SECONDS, "transaction_mode": "IMMEDIATE"},
    }}


def postgresql(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ValueError(f"DATABASE_URL doit commencer par postgresql:// (reçu « {parts.scheme}:// »).")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
    }


def _sqlite_pragmas(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")


def connect_signal() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_sqlite_pragmas, dispatch_uid="ctgxl-sqlite-pragmas")
