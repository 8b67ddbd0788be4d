"""One pool of reader workers (ctgxl.reading.workers.ReaderPool), kept warm for the server's
life and shared by every request: a hostile file (zip bomb, a reader crash, a parser that
never ends) costs one « illisible » finding, and the server keeps answering everybody else."""

from __future__ import annotations

import threading
from pathlib import Path

from ctgxl.limits import Limits
from ctgxl.reading.reader import ReadWorkbook

_lock = threading.Lock()
_pool = None


def pool():
    global _pool
    with _lock:
        if _pool is None:
            from ctgxl.reading.workers import PARALLEL_FILES, ReaderPool, default_workers

            _pool = ReaderPool(default_workers(PARALLEL_FILES + 1))
            _pool.warm()
        return _pool


def read_books(files: list[tuple[Path, str]], limits: Limits | None = None) -> list[ReadWorkbook]:
    """The books of ``files`` (path, name shown), in order."""
    from ctgxl.checking.check import read_all

    books, missing = read_all([path for path, _name in files], limits, pool=pool(),
                              names={path: name for path, name in files})
    if missing:  # a stored file vanished: the data folder was emptied under the server
        raise FileNotFoundError(missing[0].message)
    return books


def shutdown() -> None:
    global _pool
    with _lock:
        current, _pool = _pool, None
    if current is not None:
        current.close()
