"""Outputs are written beside their target under a temporary name, then renamed.

The temporary name says which machine and process wrote it (``.NAME.ctgxl-HOST-PID-XXXX.tmp.xlsx``),
so that what an interrupted run left (a process killed cannot clean up) is recognised and
removed by the next run writing in that folder. A lock beside the target stops two runs from
writing it at once; a failure of the disk (full, read-only, refused) is one French sentence.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import tempfile
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

from ctgxl.errors import OutputBusy, WriteFailed

_HOST = f"{zlib.crc32(socket.gethostname().encode()) & 0xFFFF:04x}"
_LEFTOVER = re.compile(r"\..*\.ctgxl-([0-9a-f]{4})-(\d+)-[^.]*\.tmp(\.\w+)?")
# A leftover of another machine (a shared folder) is removed only once surely abandoned.
FOREIGN_LEFTOVER_SECONDS = 24 * 3600


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; rename it over the target on success.

    An interrupted or failed write leaves the target as it was and no partial file.
    Raises OutputBusy when another run writes the same target, WriteFailed when the disk
    refuses (full, read-only, no permission)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteFailed(target, error) from None
    with _locked(target):
        remove_leftovers(target.parent)
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.ctgxl-{_HOST}-{os.getpid()}-",
                                                 suffix=f".tmp{target.suffix}", dir=target.parent)
            os.close(handle)
            os.unlink(temporary)  # writers want to create the file themselves
        except OSError as error:
            raise WriteFailed(target, error) from None
        try:
            yield Path(temporary)
            os.replace(temporary, target)
        except BaseException as error:
            try:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            except OSError:
                pass
            cause = _os_error(error)
            if cause is not None:
                raise WriteFailed(target, cause) from None
            raise


def _os_error(error: BaseException) -> OSError | None:
    """The disk's refusal behind an error, also when a writer wrapped it in its own."""
    if not isinstance(error, Exception):
        return None  # an interruption stays one
    for candidate in (error, *error.args[:1], error.__cause__):
        if isinstance(candidate, OSError) and candidate.errno is not None:
            return candidate
    return None


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary files that runs of ctgxl left in ``folder`` when they were killed:
    those of this machine whose process is gone, those of other machines after a day."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match is None:
            continue
        host, pid = match.group(1), int(match.group(2))
        try:
            if host == _HOST:
                if pid == os.getpid() or _alive(pid):
                    continue
            elif time.time() - entry.stat(follow_symlinks=False).st_mtime < FOREIGN_LEFTOVER_SECONDS:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


@contextmanager
def _locked(target: Path):
    """Hold ``.NAME.ctgxl-verrou`` beside the target (an advisory lock the system releases
    when the process ends, however it ends). Without fcntl (Windows): no lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    lock = target.parent / f".{target.name}.ctgxl-verrou"
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
                raise WriteFailed(target, error) from None
            raise
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            raise OutputBusy(target) from None
        try:  # the lock file may have been removed and made again meanwhile: lock the one in place
            if os.stat(lock).st_ino == os.fstat(descriptor).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)
    try:
        yield
    finally:
        try:
            os.unlink(lock)
        except OSError:
            pass
        os.close(descriptor)


def is_stream(target) -> bool:
    """A writable binary stream (BytesIO, an HTTP response…) rather than a path."""
    return hasattr(target, "write")


@contextmanager
def atomic_output(target, suffix: str = ".xlsx"):
    """As ``atomic_path`` for a path; for a stream, a private temporary file (named with
    ``suffix``) whose bytes are copied into the stream only once it is complete (a failed
    write leaves the stream untouched)."""
    if not is_stream(target):
        with atomic_path(Path(target)) as temporary:
            yield temporary
        return
    import shutil

    with tempfile.TemporaryDirectory(prefix="ctgxl-") as folder:
        temporary = Path(folder) / f"sortie{suffix}"
        yield temporary
        with open(temporary, "rb") as handle:
            shutil.copyfileobj(handle, target)
