"""Reading the workbooks of one delivery, before any checking: light on imports, so that the
reading processes start while the checking modules (pandas, pandera) are still loading."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ctgxl.findings import INFORMATION, Finding
from ctgxl.limits import Limits
from ctgxl.reading.files import source_names, workbook_files

if TYPE_CHECKING:
    from ctgxl.reading.reader import ReadWorkbook
    from ctgxl.standard import Standard


def read_all(paths: list[Path], limits: Limits | None = None, progress=None, pool=None, *,
             standard: Standard | None = None, names: dict[Path, str] | None = None
             ) -> tuple[list[ReadWorkbook], list[Finding]]:
    """Every workbook under ``paths``, each read in a capped worker process (see
    ctgxl.reading.workers): ``pool``, a ReaderPool kept warm by the caller, or one made for
    this call. ``names`` gives the name of a file that is a temporary copy (an uploaded
    stream); other files are named by their path."""
    from ctgxl.reading.workers import ReaderPool, default_workers

    files, missing = workbook_files(paths, limits)
    if progress:
        progress(0, len(files))
    if not files:
        return [], missing
    names = names or {}
    shown = [names.get(Path(file), str(file)) for file in files]
    if pool is not None:
        books = pool.read(files, limits, progress, shown, standard=standard)
    else:
        with ReaderPool(default_workers(len(files)), limits) as own:
            own.warm()
            books = own.read(files, limits, progress, shown, standard=standard)
    sources = source_names(paths, files)
    for book in books:
        book.source = names.get(book.path) or sources.get(book.path, "")
    return _without_consolidated(paths, books, missing)


def _without_consolidated(paths: list[Path], books: list[ReadWorkbook],
                          missing: list[Finding]) -> tuple[list[ReadWorkbook], list[Finding]]:
    """A consolidated workbook that `ctgxl merge` left in a folder of inputs is not read again
    as one more contributor (its rows would come back twice, and a row deleted from a
    service's file would live on through it); named itself, it is read."""
    named = {Path(path) for path in paths}
    kept = []
    for book in books:
        if book.written_by == "merge" and book.path not in named:
            missing.append(Finding(book.name, None, None, None, None, "sortie-ctgxl-ignoree", INFORMATION,
                                   f"« {book.name} » est un classeur consolidé écrit par « ctgxl merge » : il n'est "
                                   "pas relu avec les fichiers des services (ses lignes y sont déjà). Pour le "
                                   "contrôler, nommez-le lui-même sur la ligne de commande."))
        else:
            kept.append(book)
    return kept, missing
