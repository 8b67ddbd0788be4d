"""Workbooks are read in worker processes kept warm for the server's life: a hostile file
(zip bomb, a reader crash, a parser that never ends) costs one « illisible » finding, and
the server keeps answering everybody else."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ctgxl.findings import ERREUR, Finding
from ctgxl.limits import Limits
from ctgxl.reading.reader import ReadWorkbook

# Seconds one file may take to read before it is given up (CTGXL_DELAI_LECTURE).
READ_TIMEOUT = float(os.environ.get("CTGXL_DELAI_LECTURE", "60") or 60)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_PARSERS: dict = {}  # a worker's list lookups, kept from one file to the next


def _read(path: Path, name: str, limits: Limits | None) -> ReadWorkbook:
    """In a worker: read the book and type its tables (as `ctgxl check` does in its processes)."""
    from ctgxl.reading.reader import read_workbook
    from ctgxl.reading.tables import type_book

    book = read_workbook(path, name, limits)
    if book.readable:
        type_book(book, _PARSERS)
    return book


def _context():
    if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods():
        # forkserver, not fork: the server has threads, and a forked copy of them is unsafe.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ctgxl.reading.reader", "ctgxl.reading.tables"])
        return context
    return multiprocessing.get_context("spawn")


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, int(os.environ.get("CTGXL_PROCESSUS", "0") or 0) or cores, 8))


def pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=_workers(), mp_context=_context())
        return _pool


def _discard(broken: ProcessPoolExecutor) -> None:
    """Drop a pool whose worker died or hung; the next call starts a new one."""
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    for process in list(getattr(broken, "_processes", {}).values()):
        process.kill()
    broken.shutdown(wait=False, cancel_futures=True)


def unreadable(path: Path, name: str) -> ReadWorkbook:
    return ReadWorkbook(path=path, name=name, readable=False, findings=[Finding(
        name, None, None, None, None, "fichier-illisible", ERREUR,
        "Le fichier n'a pas pu être lu : sa lecture a échoué ou a dépassé le temps admis. "
        "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le de nouveau au format .xlsx.")])


def read_books(files: list[tuple[Path, str]], limits: Limits | None = None) -> list[ReadWorkbook]:
    """The books of ``files`` (path, name shown), in order. A file whose reading breaks the
    pool is read again alone in a fresh one, so that only the culprit is reported unreadable."""
    executor = pool()
    futures = [executor.submit(_read, path, name, limits) for path, name in files]
    books: list[ReadWorkbook | None] = []
    for future in futures:
        try:
            books.append(future.result(timeout=READ_TIMEOUT))
        except (BrokenProcessPool, FutureTimeout, OSError):
            _discard(executor)
            books.append(None)
    for index, book in enumerate(books):
        if book is None:
            books[index] = _alone(*files[index], limits)
    return books


def _alone(path: Path, name: str, limits: Limits | None) -> ReadWorkbook:
    executor = pool()
    try:
        return executor.submit(_read, path, name, limits).result(timeout=READ_TIMEOUT)
    except (BrokenProcessPool, FutureTimeout, OSError):
        _discard(executor)
        return unreadable(path, name)


def shutdown() -> None:
    global _pool
    with _lock:
        executor, _pool = _pool, None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)
