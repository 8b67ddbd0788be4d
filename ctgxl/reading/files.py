"""Which files a check reads: the workbooks named, and those under the folders named."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from ctgxl.findings import AVERTISSEMENT, ERREUR, INFORMATION, Finding
from ctgxl.limits import Limits

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}

# Written by `check --annoter` in the folder of the annotated copies: a scan of the inputs
# passes that folder by, so that a copy is never read beside the file it was made from.
ANNOTATED_MARKER = ".ctgxl-copies-annotees"


def workbook_files(paths: list[Path], limits: Limits | None = None) -> tuple[list[Path], list[Finding]]:
    """Expand folders into the workbooks under them, in a stable order. The findings say which
    names were not found (errors) and what a folder scan passed by on purpose (links leaving
    the folder, folders of annotated copies)."""
    limits = limits or Limits()
    files: list[Path] = []
    problems: list[Finding] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(_walk(path, limits, problems))
            files.extend(found)
        elif os.path.lexists(path):  # a broken or looping link is read, and says why it cannot be
            files.append(path)
        else:
            problems.append(Finding(str(path), None, None, None, None, "fichier-introuvable", ERREUR,
                                    f"Le fichier ou dossier « {path} » n'existe pas."))
    return files, problems


def _walk(folder: Path, limits: Limits, notes: list[Finding]):
    """Workbook files under a folder. Links are followed only inside the folder (never to the
    whole disk: a link leaving it is named in ``notes``), each folder once (a link loop ends
    there); a workbook name that is not a plain file (broken or looping link, tube) is still
    listed, so that it is reported. A sub-folder of annotated copies is passed by (``notes``)."""
    seen: set[tuple[int, int]] = set()
    root = folder.resolve()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            stat = current.stat()
        except OSError as error:
            notes.append(_unreadable_folder(current, error))
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue  # a link loop
        seen.add((stat.st_dev, stat.st_ino))
        if current != folder and os.path.lexists(current / ANNOTATED_MARKER):
            notes.append(Finding(str(current), None, None, None, None, "copies-annotees-ignorees", INFORMATION,
                                 f"Le dossier « {current} » contient les copies annotées de « ctgxl check "
                                 "--annoter » : il n'est pas relu avec les fichiers reçus. Une copie corrigée "
                                 "renvoyée par un service se range avec les fichiers reçus, à la place de l'ancien."))
            continue
        try:
            entries = list(current.iterdir())
        except OSError as error:
            notes.append(_unreadable_folder(current, error))
            continue
        for entry in entries:
            if entry.name.startswith((".", "~$")):
                continue  # hidden files and Office lock files
            try:
                workbook = entry.suffix.lower() in WORKBOOK_SUFFIXES
                if entry.is_symlink() and (workbook or entry.is_dir()) and _leaves(entry, root):
                    notes.append(Finding(str(entry), None, None, None, None, "lien-exterieur", AVERTISSEMENT,
                                         f"« {entry} » est un lien vers « {os.readlink(entry)} », hors du dossier "
                                         f"« {folder} » : il n'est pas suivi. Copiez le fichier dans le dossier, "
                                         "ou nommez-le lui-même sur la ligne de commande."))
                    continue
                if entry.is_dir():
                    stack.append(entry)
                elif workbook:
                    yield entry
            except (OSError, RuntimeError):
                if entry.suffix.lower() in WORKBOOK_SUFFIXES:
                    yield entry  # a looping link: reported as such when read
                continue


def _unreadable_folder(folder: Path, error: OSError) -> Finding:
    why = "accès refusé" if isinstance(error, PermissionError) else (error.strerror or "erreur système")
    return Finding(str(folder), None, None, None, None, "dossier-illisible", ERREUR,
                   f"Le dossier « {folder} » ne peut pas être parcouru ({why}) : les classeurs qu'il contient "
                   "n'ont pas été contrôlés. Les autres l'ont été.")


def _leaves(link: Path, root: Path) -> bool:
    """Whether a link points outside ``root`` (a link that cannot be resolved stays: it is
    reported when read)."""
    try:
        return not link.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):
        return False


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
