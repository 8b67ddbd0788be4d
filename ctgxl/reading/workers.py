"""Every workbook is read in a worker process whose memory and CPU time are capped, so that
a reader that panics, aborts, loops or swells on one file costs that file only: it becomes
a `fichier-illisible` finding saying what happened, and every other file is still read.

``ReaderPool`` keeps its workers warm between calls (a server keeps one alive); a worker
that dies is replaced. Workers are started by the ``forkserver`` (``spawn`` where there is
none), never by a plain fork, so a pool may be used from any thread. They die with the
process that started them: on Linux the kernel kills them when the fork server goes, which
it does as soon as that process ends, however it ends.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from multiprocessing import spawn
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING

from ctgxl.findings import ERREUR, Finding
from ctgxl.limits import Limits

if TYPE_CHECKING:  # the reader is loaded by the workers (and by unpickling their answers), not here
    from ctgxl.reading.reader import ReadWorkbook

# Imported by the fork server once, so that each worker starts with them.
PRELOAD = ["ctgxl.reading.workers", "ctgxl.reading.reader"]
WORKER_NAME = "ctgxl-lecteur"


def _prepare_without_main(prepare):
    """multiprocessing runs the parent's main script again in each new process, to find what
    it defines: costly (a web server, pytest), and fatal when there is no script file (a
    program read from standard input). The workers need nothing from it. Patched where this
    module is imported, so in the fork server whose children start the workers; processes of
    other names are prepared as before."""
    def prepare_worker(data):
        if data.get("name") == WORKER_NAME:
            data = {key: value for key, value in data.items()
                    if key not in ("init_main_from_name", "init_main_from_path")}
        return prepare(data)

    prepare_worker.ctgxl = True
    return prepare_worker


if not getattr(spawn.prepare, "ctgxl", False):
    spawn.prepare = _prepare_without_main(spawn.prepare)
# Files sent to a worker before it has answered for the previous ones.
AHEAD = 8
# A worker blocked without using CPU (a stalled network share) is stopped after this many
# times its CPU allowance in wall-clock time, and never before WALL_SECONDS (a loaded
# machine gives a process far less than one core).
WALL_FACTOR = 10
WALL_SECONDS = 60


def wall_seconds(limits: Limits) -> int:
    return max(WALL_SECONDS, limits.max_reader_seconds * WALL_FACTOR)


def default_workers(files: int) -> int:
    """How many processes read ``files`` files: CTGXL_PROCESSUS, or one per core (at most
    8) when there are many files, or one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        wanted = int(os.environ.get("CTGXL_PROCESSUS", "0"))
    except ValueError:
        wanted = 0
    if wanted > 0:
        return max(1, min(wanted, files))
    return max(1, min(cores, 8, files)) if files > PARALLEL_FILES else 1


# Below this many files one worker reads them all: each file costs a few milliseconds,
# starting a worker about as much as reading ten files.
PARALLEL_FILES = 20


def unreadable(path: Path, name: str, message: str) -> ReadWorkbook:
    from ctgxl.reading.reader import ReadWorkbook

    book = ReadWorkbook(path=Path(path), name=name, readable=False)
    book.findings.append(Finding(name, None, None, None, None, "fichier-illisible", ERREUR, message))
    return book


def memory_message(limits: Limits) -> str:
    return (f"La lecture de ce fichier a dépassé la mémoire permise ({limits.max_reader_megabytes} Mo par "
            "processus de lecture, variable CTGXL_MAX_MEMOIRE_LECTURE_MO) : il n'a pas été lu. Il est sans doute "
            "endommagé ou piégé ; demandez à son auteur de l'enregistrer de nouveau.")


def time_message(limits: Limits) -> str:
    return (f"La lecture de ce fichier a dépassé le temps permis ({limits.max_reader_seconds} s de calcul, "
            "variable CTGXL_MAX_SECONDES_LECTURE) : il n'a pas été lu. Il est sans doute endommagé ou piégé ; "
            "demandez à son auteur de l'enregistrer de nouveau.")


def crash_message(what: str, detail: str = "") -> str:
    """``what`` in French; ``detail``, the library's own (English) words, only with `ctgxl --debug`."""
    if detail and os.environ.get("CTGXL_DEBUG"):
        what = f"{what} ; détail : {detail[:200]}"
    return (f"La lecture de ce fichier a planté ({what}) : il n'a pas été lu. Il est sans doute endommagé ; "
            "demandez à son auteur de l'enregistrer de nouveau depuis Excel ou LibreOffice.")


def read_one(path: Path, name: str | None = None, limits: Limits | None = None, standard=None) -> ReadWorkbook:
    """One workbook, read in its own capped worker (split, format)."""
    with ReaderPool(1, limits) as pool:
        return pool.read([Path(path)], names=[name or str(path)], standard=standard)[0]


# --- In the worker ---------------------------------------------------------------------------

def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent (the fork server, which ends with
    the process that uses the pool) ends, even while native code runs."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent was gone before the request
        os._exit(1)


def _watch_parent() -> None:
    """Elsewhere: end when the process that started this one ends."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="ctgxl-parent", daemon=True).start()


def _cap(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # Windows: no caps, the process still isolates crashes
        return
    megabytes = limits.max_reader_megabytes
    for name, value in (("RLIMIT_AS", megabytes << 20), ("RLIMIT_CORE", 0)):
        if hasattr(resource, name):
            try:
                resource.setrlimit(getattr(resource, name), (value, value))
            except (ValueError, OSError):
                pass


def _allow_cpu(seconds: int) -> None:
    """CPU time for the next file: the soft limit, raised before each file, is what this
    process has used so far plus ``seconds`` (past it, the kernel sends SIGXCPU, which ends it)."""
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = spent + seconds
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):
        pass


def _serve(tasks, errors, limits: Limits) -> None:
    """A worker's life: read the files it is sent, one at a time, until told to stop."""
    _die_with_parent()
    _watch_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    os.dup2(errors.fileno(), 2)  # what native code prints on its way down tells the parent why
    os.environ["RUST_BACKTRACE"] = "0"
    errors.close()
    _cap(limits)
    from ctgxl.reading.reader import read_workbook

    parsers = None  # the list lookups of the standard in use, kept from one file to the next
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, name, file_limits, typed, standard = task
        _allow_cpu(file_limits.max_reader_seconds)
        fatal = False
        try:
            book = read_workbook(path, name, file_limits, standard)
            if typed and book.readable:
                from ctgxl.reading.tables import ListParsers, type_book  # pandas: only where tables are typed

                if parsers is None or (standard is not None and parsers.standard is not standard):
                    parsers = ListParsers(standard)
                type_book(book, parsers)
        except MemoryError:
            book, fatal = unreadable(path, name, memory_message(file_limits)), True
        except BaseException as error:  # a Rust panic is a BaseException: this file only
            detail = str(error).splitlines()[0][:120] if str(error) else ""
            book = unreadable(path, name, crash_message(
                "erreur interne du lecteur de classeurs", f"{type(error).__name__}{' : ' + detail if detail else ''}"))
            fatal = True
        # With ``fatal`` the process may be left in a bad state: it stops, a fresh one reads on.
        try:
            tasks.send((book, fatal))
        except MemoryError:
            tasks.send((unreadable(path, name, memory_message(file_limits)), True))
            return
        except (OSError, EOFError):
            return
        except BaseException as error:  # a book that cannot be sent back
            tasks.send((unreadable(path, name, crash_message("réponse du lecteur impossible à transmettre",
                                                             type(error).__name__)), True))
            return
        if fatal:
            return


# --- In the parent ---------------------------------------------------------------------------

def _context(tables: bool):
    """The fork server's context. It is started once per process, with the modules of the
    first pool: the reading modules, and pandas for the typing (``tables``), which workers
    that type many files need (0.5 s each otherwise) and a check of a few files does not."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD + (["ctgxl.reading.tables"] if tables else []))
        return context
    return multiprocessing.get_context("spawn")


class _Worker:
    def __init__(self, context, limits: Limits):
        self.tasks, child_tasks = context.Pipe()
        self.errors, child_errors = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(child_tasks, child_errors, limits),
                                       name=WORKER_NAME, daemon=True)
        self.process.start()
        child_tasks.close()
        child_errors.close()
        self.said = b""
        self.started = 0.0
        os.set_blocking(self.errors.fileno(), False)

    def drain(self) -> None:
        """Keep the start of what the worker printed about this file, where the reason is
        (and read the rest: a full pipe would block it)."""
        try:
            while chunk := os.read(self.errors.fileno(), 65536):
                self.said = (self.said + chunk)[:4000]
        except (BlockingIOError, OSError):
            pass

    def stop(self, kill: bool = False) -> None:
        if kill:
            if self.process.is_alive():
                self.process.kill()
        else:
            try:
                self.tasks.send(None)
            except (OSError, ValueError):
                pass
        self.process.join(1 if not kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        for connection in (self.tasks, self.errors):
            connection.close()

    def how_it_ended(self, limits: Limits, stalled: bool) -> str:
        self.process.join(5)
        self.drain()
        said = self.said.decode("utf-8", "replace")
        code = self.process.exitcode
        if stalled:
            return (f"La lecture de ce fichier n'a pas abouti en {wall_seconds(limits)} s : elle a "
                    "été arrêtée et le fichier n'a pas été lu (fichier sur un partage réseau bloqué, ou piégé).")
        if code == -getattr(signal, "SIGXCPU", -1000):
            return time_message(limits)
        if "memory allocation" in said or "MemoryError" in said or "Cannot allocate" in said \
                or "bad_alloc" in said or code == -signal.SIGKILL:
            return memory_message(limits)
        if code is not None and code < 0:
            try:
                what = signal.Signals(-code).name
            except ValueError:
                what = f"signal {-code}"
            return crash_message(f"arrêt brutal du lecteur, {what}")
        return crash_message(f"le processus de lecture s'est arrêté avec le code {code}")


class ReaderPool:
    """Worker processes that read workbooks, kept between calls. Usable from several threads
    at once; a context manager (the workers stop at its end).

        with ReaderPool() as pool:
            books = pool.read([Path("plan.xlsx")])
    """

    def __init__(self, workers: int | None = None, limits: Limits | None = None):
        self.size = max(1, workers or default_workers(PARALLEL_FILES + 1))
        self.typing = self.size > 1  # a pool of several workers is for many files, which they type
        self.limits = limits or Limits()
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, kind, error, trace) -> None:
        self.close(kill=kind is not None)

    def close(self, kill: bool = False) -> None:
        """Stop every worker (``kill``: without waiting for the file it reads)."""
        with self._lock:
            self._closed = True
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.stop(kill=kill)

    def warm(self) -> None:
        """Start the workers now rather than at the first file."""
        started = []
        while (worker := self._checkout(block=False)) is not None:
            started.append(worker)
        for worker in started:
            self._idle.put(worker)

    def _checkout(self, block: bool) -> _Worker | None:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = None
            if worker is not None:
                if worker.process.is_alive():
                    return worker
                self._discard(worker)
                continue
            with self._lock:
                if self._closed:
                    raise RuntimeError("ReaderPool fermé")
                if len(self._workers) < self.size:
                    worker = _Worker(_context(self.typing), self.limits)
                    self._workers.add(worker)
                    return worker
            if not block:
                return None
            try:
                worker = self._idle.get(timeout=0.5)
            except queue.Empty:
                continue
            if worker.process.is_alive():
                return worker
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop(kill=True)

    def _checkin(self, worker: _Worker) -> None:
        if self._closed:
            worker.stop()
        else:
            self._idle.put(worker)

    def read(self, files: list[Path], limits: Limits | None = None, progress=None, names=None,
             typed: bool | None = None, standard=None) -> list[ReadWorkbook]:
        """The books of ``files``, in order. A file on which a worker dies (or runs out of
        memory or time) gives an unreadable book saying so. ``names``: the name each file is
        shown under (a list, or a dict by path), else its path. ``typed``: the workers also
        type the tables (see tables.type_book); by default when there are many files.
        ``standard``: the one to read by (None: the default one)."""
        limits = limits or self.limits
        if isinstance(names, dict):
            names = [names.get(path, str(path)) for path in files]
        names = names or [str(path) for path in files]
        if typed is None:
            typed = len(files) > PARALLEL_FILES and self.typing
        books: list[ReadWorkbook | None] = [None] * len(files)
        pending = collections.deque(range(len(files)))
        # Each worker is sent a few files ahead, so that it never waits for this process to
        # be scheduled; it answers in order, so the file it died on is the first unanswered.
        owned: dict[_Worker, collections.deque[int]] = {}
        try:
            while pending or any(owned.values()):
                while pending and len(owned) < self.size:
                    worker = self._checkout(block=not owned)
                    if worker is None:
                        break
                    owned[worker] = collections.deque()
                for worker, queue in list(owned.items()):
                    while pending and len(queue) < AHEAD:
                        index = pending.popleft()
                        try:
                            worker.tasks.send((Path(files[index]), names[index], limits, typed, standard))
                        except (OSError, ValueError):  # it died: another one takes the file
                            pending.appendleft(index)
                            break
                        if not queue:
                            worker.said, worker.started = b"", time.monotonic()
                        queue.append(index)
                self._collect(owned, pending, books, files, names, limits, progress)
                for worker in [worker for worker, queue in owned.items() if not queue]:
                    if not pending or not worker.process.is_alive():
                        del owned[worker]
                        if worker.process.is_alive():
                            self._checkin(worker)
                        else:
                            self._discard(worker)
        except BaseException:
            for worker in owned:  # their answers would come to nobody
                self._discard(worker)
            raise
        return books  # type: ignore[return-value]

    def _collect(self, owned: dict[_Worker, collections.deque], pending: collections.deque, books, files, names,
                 limits: Limits, progress) -> None:
        watched = []
        for worker, queue in owned.items():
            if queue:
                watched += [worker.tasks, worker.process.sentinel, worker.errors]
        if not watched:
            return
        ready = set(wait(watched, timeout=1.0))
        for worker, queue in list(owned.items()):
            if not queue:
                continue
            if worker.errors in ready:
                worker.drain()
            died = retired = False
            while queue and worker.tasks.poll():
                index = queue[0]
                try:
                    book, retired = worker.tasks.recv()
                except (EOFError, OSError):  # it died on the file it was reading
                    died = True
                    break
                except Exception as error:  # an answer that cannot be unpickled
                    book, retired = unreadable(files[index], names[index], crash_message(
                        "réponse du lecteur illisible", type(error).__name__)), True
                queue.popleft()
                books[index] = book
                worker.said, worker.started = b"", time.monotonic()
                if progress:
                    progress(1)
                if retired:  # it answered, and stops: a fresh one reads on
                    break
            stalled = bool(queue) and time.monotonic() - worker.started > wall_seconds(limits)
            died = died or (worker.process.sentinel in ready and not retired)
            if not (died or retired or stalled):
                continue
            if (died or stalled) and queue:
                if stalled:
                    worker.process.kill()
                index = queue.popleft()
                books[index] = unreadable(files[index], names[index], worker.how_it_ended(limits, stalled))
                if progress:
                    progress(1)
            pending.extendleft(reversed(queue))  # sent ahead, not read: another worker reads them
            queue.clear()
            del owned[worker]
            self._discard(worker)
