"""A check's private temporary folder: under the data folder, named by an unguessable
identifier, deleted after CTGXL_RETENTION seconds and when the server starts. Uploaded
files are stored as 1.xlsx, 2.ods…: the name a person gave is display text only."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

# secrets.token_urlsafe(24): 32 characters of [A-Za-z0-9_-], 192 random bits
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
META = "controle.json"


def root() -> Path:
    folder = Path(settings.DATA_DIR) / "controles"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def create() -> tuple[str, Path]:
    token = secrets.token_urlsafe(24)
    folder = root() / token
    folder.mkdir(mode=0o700)
    return token, folder


def folder_of(token: str) -> Path | None:
    """The folder of a live check, or None for an identifier that is malformed, unknown or expired."""
    if not TOKEN.fullmatch(token or ""):
        return None
    folder = root() / token
    meta = folder / META
    try:
        created = json.loads(meta.read_text(encoding="utf-8"))["cree"]
    except (OSError, ValueError, KeyError):
        return None
    if time.time() - created > settings.CTGXL_RETENTION:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return folder


def clear_all() -> None:
    """At start-up: every check of a previous run goes."""
    shutil.rmtree(Path(settings.DATA_DIR) / "controles", ignore_errors=True)


def clear_expired(now: float | None = None) -> None:
    now = time.time() if now is None else now
    for folder in root().iterdir():
        try:
            age = now - folder.stat().st_mtime
        except OSError:
            continue
        if age > settings.CTGXL_RETENTION:
            shutil.rmtree(folder, ignore_errors=True)


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
