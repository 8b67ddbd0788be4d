"""Outputs are written beside their target under a temporary name, then renamed."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; rename it over the target on success.

    An interrupted or failed write leaves the target as it was and no partial file.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    os.close(handle)
    os.unlink(temporary)  # writers want to create the file themselves
    try:
        yield Path(temporary)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def is_stream(target) -> bool:
    """A writable binary stream (BytesIO, an HTTP response…) rather than a path."""
    return hasattr(target, "write")


@contextmanager
def atomic_output(target):
    """As ``atomic_path`` for a path; for a stream, a private temporary file whose bytes are
    copied into the stream only once it is complete (a failed write leaves the stream untouched)."""
    if not is_stream(target):
        with atomic_path(Path(target)) as temporary:
            yield temporary
        return
    import shutil

    with tempfile.TemporaryDirectory(prefix="ctgxl-") as folder:
        temporary = Path(folder) / "sortie.xlsx"
        yield temporary
        with open(temporary, "rb") as handle:
            shutil.copyfileobj(handle, target)
