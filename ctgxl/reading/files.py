"""Which files a check reads: the workbooks named, and those under the folders named."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

from ctgxl.findings import ERREUR, Finding
from ctgxl.limits import Limits

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}

def workbook_files(paths: list[Path], limits: Limits | None = None) -> tuple[list[Path], list[Finding]]:
    """Expand folders into the workbooks under them, in a stable order."""
    limits = limits or Limits()
    files: list[Path] = []
    problems: list[Finding] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(_walk(path, limits))
            files.extend(found)
        elif os.path.lexists(path):  # a broken or looping link is read, and says why it cannot be
            files.append(path)
        else:
            problems.append(Finding(str(path), None, None, None, None, "fichier-introuvable", ERREUR,
                                    f"Le fichier ou dossier « {path} » n'existe pas."))
    return files, problems


def _walk(folder: Path, limits: Limits):
    """Workbook files under a folder. Links are followed only inside the folder (never to the
    whole disk), each folder once (a link loop ends there); a workbook name that is not a
    plain file (broken or looping link, tube) is still listed, so that it is reported."""
    seen: set[tuple[int, int]] = set()
    root = folder.resolve()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            stat = current.stat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue  # a link loop
        seen.add((stat.st_dev, stat.st_ino))
        try:
            entries = list(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "~$")):
                continue  # hidden files and Office lock files
            try:
                if entry.is_dir():
                    if entry.is_symlink() and not entry.resolve().is_relative_to(root):
                        continue
                    stack.append(entry)
                elif entry.suffix.lower() in WORKBOOK_SUFFIXES and not _annotated_copy(entry):
                    yield entry
            except (OSError, RuntimeError):
                continue


_ANNOTATED = re.compile(r".*-annote(-\d+)?\.xls[xm]$", re.IGNORECASE)


def _annotated_copy(path: Path) -> bool:
    """A copy written by `check --annoter`, left in the folder being checked."""
    if not _ANNOTATED.fullmatch(path.name):
        return False
    from ctgxl.writing.outputs import written_by

    return written_by(path) == "check"


def source_names(paths: list[Path], files: list[Path]) -> dict[Path, str]:
    """How each file is named in provenance: its path relative to the folder named on the
    command line (its name, for a file named itself); files that would share a name (same
    name in two folders named) keep the path they were found at."""
    names: dict[Path, str] = {}
    folders = [Path(path) for path in paths if Path(path).is_dir()]
    for file in files:
        file = Path(file)
        folder = next((folder for folder in folders if file.is_relative_to(folder)), None)
        names[file] = file.relative_to(folder).as_posix() if folder else file.name
    counts = Counter(names.values())
    return {file: (name if counts[name] == 1 else file.as_posix()) for file, name in names.items()}
