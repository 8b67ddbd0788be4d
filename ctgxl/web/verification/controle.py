"""One check on the web: the uploaded files stored under numbers in the check's private
folder, read in worker processes, checked together; then, on request, the annotated
copies and the consolidated workbook made from the same stored files."""

from __future__ import annotations

import json
import os
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from ctgxl.limits import Limits
from ctgxl.web.verification import storage

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
ANNOTATED = "copies-annotees.zip"
REPORT = "rapport.html"


class Refused(Exception):
    """An upload that is not checked, with the French sentence that says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def display_name(raw: str | None) -> str:
    """The name shown for an uploaded file: its last part only (no folder, whatever the
    browser sent), without control characters, at most 120 characters."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().lstrip(".")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: 110] + dot + suffix[:9] if dot else name[:120]
    return name or "classeur"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    stem, dot = (stem, dot) if dot else (name, "")
    number = 2
    while f"{stem} ({number}){dot}{suffix}" in taken:
        number += 1
    return f"{stem} ({number}){dot}{suffix}"


@dataclass
class Stored:
    path: Path
    name: str


def store(uploads, folder: Path, limits: Limits) -> list[Stored]:
    """Write each upload as 1.xlsx, 2.ods… (the file's own name is never a path)."""
    stored: list[Stored] = []
    taken: set[str] = set()
    for number, upload in enumerate(uploads, start=1):
        name = _unique(display_name(upload.name), taken)
        taken.add(name)
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise Refused(f"« {name} » n'est pas un classeur : seuls les fichiers .xlsx, .xlsm, .xls, .xlsb "
                          "et .ods sont acceptés.")
        if upload.size > limits.max_file_bytes:
            raise Refused(f"« {name} » dépasse la taille admise par fichier ({_megabytes(limits.max_file_bytes)}).",
                          413)
        path = folder / f"{number}{suffix}"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        stored.append(Stored(path, name))
    return stored


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.0f} Mo"


def check(stored: list[Stored], folder: Path, limits: Limits) -> dict:
    """Read and check the stored files; keep the report's data (never the workbooks' content
    anywhere else) in the check's folder."""
    from ctgxl.html_report import summary

    report = _report(stored, limits)
    data = summary(report)
    meta = {"cree": time.time(), "fichiers": [{"stocke": item.path.name, "nom": item.name} for item in stored],
            "resume": data}
    (folder / storage.META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return meta


def _report(stored: list[Stored], limits: Limits | None = None):
    from ctgxl.checking.check import check_books

    return check_books(_books(stored, limits))


def _books(stored: list[Stored], limits: Limits | None = None):
    from ctgxl.web.verification.workers import read_books

    return read_books([(item.path, item.name) for item in stored], limits or Limits())


def load(folder: Path) -> dict:
    return json.loads((folder / storage.META).read_text(encoding="utf-8"))


def stored_files(folder: Path, meta: dict) -> list[Stored]:
    return [Stored(folder / entry["stocke"], entry["nom"]) for entry in meta["fichiers"]]


# A fixed set of locks shared out by check: bounded, however many checks a server sees.
_LOCKS = [threading.Lock() for _ in range(64)]


def _lock_of(folder: Path) -> threading.Lock:
    return _LOCKS[hash(folder.name) % len(_LOCKS)]


def annotated_copies(folder: Path, meta: dict) -> Path:
    """A zip of the annotated copies (named after the files sent), made once per check
    (two clicks at once wait for the same zip rather than writing the copies twice)."""
    target = folder / ANNOTATED
    with _lock_of(folder):
        if not target.exists():
            _annotate(folder, meta, target)
    return target


def _annotate(folder: Path, meta: dict, target: Path) -> None:
    from ctgxl.writing.annotate import annotate_all
    from ctgxl.writing.atomic import atomic_path

    stored = stored_files(folder, meta)
    report = _report(stored)
    notes: list[str] = []
    written = annotate_all(report, folder / "annotees", say=notes.append)
    by_stem = {item.path.stem: item.name for item in stored}
    with atomic_path(target) as temporary:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                number = path.name.split("-annote")[0]
                shown = Path(by_stem.get(number, number))
                archive.write(path, f"{shown.stem}-annote{path.suffix}")
            if notes:
                archive.writestr("a-lire.txt", "\n".join(notes) + "\n")


@dataclass
class Consolidated:
    path: Path | None
    message: str
    errors: int


def consolidated(folder: Path, meta: dict, *, secrecy: bool, despite_errors: bool) -> Consolidated:
    """The consolidated workbook of the check's files; refused while errors remain unless asked."""
    from ctgxl.api import merge_read
    from ctgxl.errors import ErrorsRemain, NothingRecognised

    name = f"classeur-consolide{'-secret' if secrecy else ''}{'-malgre-erreurs' if despite_errors else ''}.xlsx"
    target = folder / name
    books = _books(stored_files(folder, meta))
    try:
        result = merge_read(books, [], target, secret_statistique=secrecy, malgre_erreurs=despite_errors)
    except ErrorsRemain as refused:
        return Consolidated(None, str(refused).split(" (ou relancez")[0] + ".", len(refused.report.errors))
    except NothingRecognised as refused:
        return Consolidated(None, str(refused), 0)
    counts = ", ".join(f"{sheet} : {rows}" for sheet, rows in result.rows.items())
    files = f"{result.files} fichier{'s' if result.files > 1 else ''}"
    return Consolidated(target, f"Classeur consolidé ({files} ; {counts}).", result.errors)
