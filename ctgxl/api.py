"""ctgxl as a library: check, merge, split, reformat, write a template, annotate.

A source is a path (a file, or a folder holding workbooks) or a named binary stream (a file
object with a ``name``, such as an upload). An output is a path (written atomically, never
over an input) or a writable binary stream. Each function returns data and raises the
exceptions of ``ctgxl.errors``; nothing here prints. Heavy modules are imported inside the
functions, so that ``import ctgxl`` stays light.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Union

from ctgxl.errors import ConflictsRemain, ErrorsRemain, InputsUnreadable, NothingRecognised, NoWorkbook

if TYPE_CHECKING:
    from ctgxl.checking.check import Report
    from ctgxl.limits import Limits
    from ctgxl.merging.consolidate import MergedBooks
    from ctgxl.standard import Standard
    from ctgxl.writing.roundtrip import FormatResult, SplitResult
    from ctgxl.writing.template import Prefill

Source = Union[str, os.PathLike, BinaryIO]
Output = Union[str, os.PathLike, BinaryIO]


@dataclass
class Consolidation:
    """What `merge` did: the report (every finding, the merge's included), the rows kept in
    each data sheet, and where the workbook went (``output`` is None for a stream)."""
    report: Report
    output: Path | None
    files: int
    rows: dict[str, int]
    errors: int
    masked: int
    contributors: list[str]
    replaced: bool = False  # the output was this command's earlier workbook
    merged: MergedBooks | None = field(default=None, repr=False)


@dataclass
class Annotation:
    """The annotated copies written, and a sentence for each file that got none."""
    written: list[Path]
    notes: list[str]


def check(sources: Source | list[Source], *, standard: Standard | str | os.PathLike | None = None,
          limits: Limits | None = None, progress=None, today: date | None = None) -> Report:
    """Read and check workbooks delivered together. Never raises for a bad file: each problem
    is a finding of the report (``report.errors``, ``report.exit_code()``…). ``today`` bounds
    the years of data (none after next year; default: today)."""
    from ctgxl.checking.check import check_books, read_all

    std = _standard(standard)
    with _local_files(sources, limits) as (paths, names):
        books, missing = read_all(paths, limits, progress, standard=std, names=names)
    _something_to_read(paths, books, missing)
    return check_books(books, missing, standard=std, today=today)


def merge(sources: Source | list[Source], output: Output, *, secret_statistique: bool = False,
          malgre_erreurs: bool = False, force: bool = False, today: date | None = None,
          standard: Standard | str | os.PathLike | None = None, limits: Limits | None = None,
          progress=None) -> Consolidation:
    """Check the workbooks of one territory and write their consolidated workbook to ``output``.

    Raises ``ErrorsRemain`` (``ConflictsRemain`` when rows conflict, ``InputsUnreadable``
    when a file could not be read) while errors remain, unless ``malgre_erreurs``: nothing is
    written then. ``today`` is the date shown as the consolidation date (default: today).
    """
    from ctgxl.checking.check import read_all
    from ctgxl.writing.outputs import may_replace

    _not_an_input(output, sources)
    replaced = may_replace(output, force=force, command="merge")
    std = _standard(standard)
    with _local_files(sources, limits) as (paths, names):
        books, missing = read_all(paths, limits, progress, standard=std, names=names)
    _something_to_read(paths, books, missing)
    return merge_read(books, missing, output, secret_statistique=secret_statistique, malgre_erreurs=malgre_erreurs,
                      today=today, standard=std, replaced=replaced)


def merge_read(books, missing, output: Output, *, secret_statistique: bool = False, malgre_erreurs: bool = False,
               today: date | None = None, standard: Standard | None = None,
               replaced: bool = False) -> Consolidation:
    """`merge` on workbooks already read (by a server's warm reader pool, say): the same
    checks, refusals and workbook. ``output`` is not checked against the inputs here."""
    from ctgxl.merging.consolidate import merge_books
    from ctgxl.writing.consolidated import write_consolidated

    report, merged = merge_books(books, missing, secrecy=secret_statistique, today=today or date.today(),
                                 standard=standard)
    if not any(book.tables for book in books if book.readable):
        # Nothing to merge: an empty consolidated workbook would look like a result.
        raise NothingRecognised("Fusion refusée : aucune feuille du standard CTG (Diagnostic, Équipements, Plan "
                                "d'actions…) n'a été reconnue dans les fichiers donnés. Aucun fichier n'a été écrit.",
                                report)
    if (report.errors or report.unreadable) and not malgre_erreurs:
        if report.unreadable:
            raise InputsUnreadable(report)
        if any(finding.code == "conflit" for finding in report.errors):
            raise ConflictsRemain(report)
        raise ErrorsRemain(report)
    write_consolidated(merged, report, output, standard=standard)
    return Consolidation(report, None if _is_stream(output) else Path(output), len(books),
                         {name: len(sheet.rows) for name, sheet in merged.sheets.items()}, len(report.errors),
                         merged.masked, merged.contributors, replaced, merged)


def split(source: Source, output_dir: str | os.PathLike, *, force: bool = False,
          standard: Standard | str | os.PathLike | None = None) -> SplitResult:
    """One workbook per contributor of a consolidated workbook, in ``output_dir``. A file
    there that ctgxl split did not write is kept and listed in ``result.refused`` (unless
    ``force``). Raises ``Unreadable`` or ``NotConsolidated``."""
    from ctgxl.writing import roundtrip

    with _local_files([source], None) as (paths, names):
        return roundtrip.split(paths[0], Path(output_dir), force=force, name=names.get(paths[0]),
                               standard=_standard(standard))


def reformat(source: Source, output: Output, *, force: bool = False,
             standard: Standard | str | os.PathLike | None = None) -> FormatResult:
    """Rewrite a filled workbook in the current template, keeping every value. Raises
    ``OutputIsInput``, ``OutputExists``, ``Unreadable`` or ``NothingRecognised``."""
    from ctgxl.writing import roundtrip
    from ctgxl.writing.outputs import may_replace

    _not_an_input(output, [source])
    may_replace(output, force=force, command="format")
    with _local_files([source], None) as (paths, names):
        return roundtrip.reformat(paths[0], output, name=names.get(paths[0]), standard=_standard(standard))


def write_template(kind: str, output: Output, prefill: Prefill | dict | None = None, *, force: bool = False,
                   standard: Standard | str | os.PathLike | None = None,
                   created: datetime | None = None) -> Path | None:
    """Write the blank workbook of ``kind`` (diagnostic, equipements, plan-actions, complet),
    its Identification prefilled from ``prefill`` (a ``Prefill`` or a dict of its fields).
    Returns the path written (None for a stream)."""
    from ctgxl.writing import template
    from ctgxl.writing.outputs import may_replace

    if isinstance(prefill, dict):
        prefill = template.Prefill(**prefill)
    may_replace(output, force=force, command="template")
    template.write_template(output, kind, prefill, standard=_standard(standard), created=created)
    return None if _is_stream(output) else Path(output)


def annotate(report: Report, output_dir: str | os.PathLike, sources: list[Source] | None = None) -> Annotation:
    """A copy of each checked .xlsx/.xlsm file with its findings at their cells, in
    ``output_dir``. Files checked from streams are copied from ``sources`` (the streams given
    to ``check``, matched by name). Files that cannot be annotated get a note instead."""
    from dataclasses import replace

    from ctgxl.writing.annotate import annotate_all

    notes: list[str] = []
    streams = [source for source in sources or [] if _is_stream(source)]
    with _local_files(streams, None) as (paths, names):
        copies = {name: path for path, name in names.items()}
        books = [replace(book, path=copies[book.name]) if book.name in copies else book for book in report.books]
        written = annotate_all(replace(report, books=books), Path(output_dir), say=notes.append)
    return Annotation(written, notes)


def _something_to_read(paths: list[Path], books, missing) -> None:
    """Folders with no workbook in them (nor a name that was not found): nothing was checked,
    which must not look like a clean result."""
    from ctgxl.findings import ERREUR

    if books or any(finding.severity == ERREUR for finding in missing):
        return
    names = ", ".join(f"« {path} »" for path in paths)
    raise NoWorkbook(f"Aucun classeur (.xlsx, .xlsm, .xls, .xlsb, .ods) dans {names} : rien à contrôler. "
                     "Vérifiez le dossier indiqué.")


def _standard(standard) -> Standard:
    from ctgxl.standard import Standard, load

    if standard is None or isinstance(standard, Standard):
        return standard or load()
    return load(str(standard))


def _is_stream(target) -> bool:
    return hasattr(target, "read") or hasattr(target, "write")


def _not_an_input(output, sources) -> None:
    """``OutputIsInput`` when the output is one of the input files (the same file on disk, by
    any name or link), even with ``force``: inputs are never modified."""
    from ctgxl.writing.outputs import refuse_input_as_output

    if _is_stream(output):
        return
    sources = sources if isinstance(sources, (list, tuple)) else [sources]
    refuse_input_as_output(Path(output), [Path(source) for source in sources if not _is_stream(source)])


@contextmanager
def _local_files(sources, limits: Limits | None):
    """(paths, names): paths as given, and each stream copied to a private temporary folder
    (removed afterwards) so that the reader measures and opens it like any file; ``names``
    maps such a copy to the stream's name. A copy stops one byte past the size limit: the
    reader then reports the file as too large without more being stored."""
    import tempfile

    from ctgxl.limits import Limits

    sources = list(sources) if isinstance(sources, (list, tuple)) else [sources]
    if not any(_is_stream(source) for source in sources):
        yield [Path(source) for source in sources], {}
        return
    limit = (limits or Limits()).max_file_bytes + 1
    with tempfile.TemporaryDirectory(prefix="ctgxl-") as folder:
        paths: list[Path] = []
        names: dict[Path, str] = {}
        for index, source in enumerate(sources):
            if not _is_stream(source):
                paths.append(Path(source))
                continue
            name = getattr(source, "name", None)
            if not isinstance(name, str) or not name:
                raise TypeError("a stream given as a source needs a name (the file's name, with its extension)")
            copy = Path(folder) / str(index) / (Path(name).name or "classeur")
            copy.parent.mkdir()
            if getattr(source, "seekable", lambda: False)():
                source.seek(0)
            with open(copy, "wb") as handle:
                left = limit
                while left > 0:
                    chunk = source.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    handle.write(chunk)
                    left -= len(chunk)
            paths.append(copy)
            names[copy] = name
        yield paths, names
