"""ctgxl as a library: check, merge, split, reformat, write a template, annotate, the
yearly bilan, and the differences between two versions.

A source is a path (a file, or a folder holding workbooks) or a named binary stream (a file
object with a ``name``, such as an upload). An output is a path (written atomically, never
over an input) or a writable binary stream. Each function returns data and raises the
exceptions of ``ctgxl.errors``; nothing here prints. Heavy modules are imported inside the
functions, so that ``import ctgxl`` stays light.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Union

from ctgxl.errors import (ConflictsRemain, DuplicateOutput, ErrorsRemain, InputsUnreadable, NothingRecognised,
                          NoWorkbook, OtherTerritory, OutputIsInput, Unreadable, UnreadableVersion, WrongOutputType)

if TYPE_CHECKING:
    from ctgxl.checking.check import Report
    from ctgxl.limits import Limits
    from ctgxl.merging.bilan import Bilan
    from ctgxl.merging.consolidate import MergedBooks
    from ctgxl.merging.diff import Diff
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
class BilanResult:
    """What `bilan` did: the bilan computed; each form written (``written``: "xlsx", "pptx",
    "html") with its path, None for a stream; the earlier outputs of `bilan` it replaced; the
    reports of reading the sources and ``depuis`` (their errors do not stop a bilan, which
    takes the rows as they are: worth telling the user)."""
    bilan: Bilan
    written: dict[str, Path | None]
    replaced: list[Path]
    report: Report
    previous_report: Report | None = None


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
    from ctgxl.checking.collect import read_all

    std = _standard(standard)
    loading = _load_checking()
    with _local_files(sources, limits) as (paths, names):
        books, missing = read_all(paths, limits, progress, standard=std, names=names)
    _something_to_read(paths, books, missing)
    loading.join()
    from ctgxl.checking.check import check_books

    return check_books(books, missing, standard=std, today=today)


def _load_checking() -> threading.Thread:
    """The checking modules (pandas, pandera and its backends: most of the time of a check of
    a few files) loaded in a thread, while this one waits for the reading processes."""
    def load() -> None:
        try:
            from ctgxl.checking import check  # noqa: F401 - loaded for the main thread
            from ctgxl.checking.schemas import warm

            warm()
        except Exception:  # the import made again after the reading says what is wrong
            pass

    thread = threading.Thread(target=load, name="ctgxl-chargement", daemon=True)
    thread.start()
    return thread


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


# The bilan's outputs: the argument, its extension, the form's name in BilanResult.written.
BILAN_OUTPUTS = (("output", ".xlsx", "xlsx"), ("pptx", ".pptx", "pptx"), ("html", ".html", "html"))


def bilan(sources: Source | list[Source], output: Output | None = None, *, pptx: Output | None = None,
          html: Output | None = None, annee: int | None = None, depuis: Source | list[Source] | None = None,
          secret_statistique: bool = False, force: bool = False, today: date | None = None,
          standard: Standard | str | os.PathLike | None = None, limits: Limits | None = None,
          progress=None) -> BilanResult:
    """The yearly bilan of a territory for the comité de pilotage, from its consolidated
    workbook or its services' files: computed, then written as a workbook with charts
    (``output``), a deck (``pptx``) and a printable page (``html``), each a path or a writable
    binary stream (none given: only computed). ``annee`` defaults to the year of ``today``
    (default: today, also the date the bilan is prepared on); ``depuis``, an earlier version of
    the same territory, adds what changed since.

    Before reading anything: ``WrongOutputType``, ``OutputIsInput``, ``DuplicateOutput``,
    ``OutputExists`` (unless ``force``, or the file is an earlier bilan). Then ``Unreadable``
    (an input missing or unreadable), ``NothingRecognised``, ``OtherTerritory``. Nothing is
    written after a refusal."""
    from ctgxl.merging.bilan import compute_bilan

    today = today or date.today()
    sources = _as_list(sources)
    previous = None if depuis is None else _as_list(depuis)
    targets = {"output": output, "pptx": pptx, "html": html}
    replaced = _bilan_outputs(targets, [*sources, *(previous or [])], force)
    for source in (*sources, *(previous or [])):
        if not _is_stream(source) and not Path(source).exists():
            raise Unreadable([], f"« {source} » n'existe pas.")
    std = _standard(standard)
    current, report = _bilan_rows(sources, secret_statistique, today, std, limits, progress)
    earlier, previous_report, label = None, None, None
    if previous is not None:
        earlier, previous_report = _bilan_rows(previous, secret_statistique, today, std, limits, progress)
        label = ", ".join(_name(source) for source in previous)
        ours, theirs = current.territory, earlier.territory
        if ours.code and theirs.code and ours.code != theirs.code:
            raise OtherTerritory(f"« {label} » est la convention de {theirs.name or theirs.code}, pas celle de "
                                 f"{ours.name or ours.code} : --depuis attend une version précédente du même "
                                 "territoire.")
    computed = compute_bilan(current, annee or today.year, secrecy=secret_statistique, previous=earlier,
                             previous_label=label)
    written: dict[str, Path | None] = {}
    for argument, _, form in BILAN_OUTPUTS:
        target = targets[argument]
        if target is not None:
            _bilan_writer(form)(computed, target)
            written[form] = None if _is_stream(target) else Path(target)
    return BilanResult(computed, written, replaced, report, previous_report)


def _bilan_writer(form: str):
    if form == "xlsx":
        from ctgxl.writing.bilan_xlsx import write_bilan_xlsx

        return write_bilan_xlsx
    if form == "pptx":
        from ctgxl.writing.bilan_pptx import write_bilan_pptx

        return write_bilan_pptx
    from ctgxl.writing.bilan_html import write_bilan_html

    return write_bilan_html


def _bilan_outputs(targets: dict, inputs: list, force: bool) -> list[Path]:
    """Every output checked before any reading, one after the other as the command line lists
    them: its extension, not an input, not asked twice, not over a file without ``force``.
    Returns the earlier bilans that will be replaced."""
    from ctgxl.writing.outputs import input_replaced, may_replace

    paths = [Path(source) for source in inputs if not _is_stream(source)]
    resolved = {path.resolve() for path in paths}
    chosen = [target for target in targets.values() if target is not None]
    replaced = []
    for argument, suffix, _ in BILAN_OUTPUTS:
        target = targets[argument]
        if target is None:
            continue
        if _is_stream(target):
            if sum(other is target for other in chosen) > 1:
                raise DuplicateOutput(_name(target), "Le même flux est donné pour deux sorties : donnez-en deux.")
            continue
        target = Path(target)
        if target.suffix.lower() not in (suffix, ".htm" if suffix == ".html" else suffix):
            raise WrongOutputType(target, suffix, argument)
        # By name (even an input that does not exist yet), then by file (a link, a file of a folder given).
        if target.resolve() in resolved or input_replaced(target, paths) is not None:
            raise OutputIsInput(target, f"« {target} » est un fichier d'entrée : choisissez un autre nom, les "
                                        "entrées ne sont jamais modifiées.")
        if sum(1 for other in chosen if not _is_stream(other) and Path(other).resolve() == target.resolve()) > 1:
            raise DuplicateOutput(target)
        if may_replace(target, force=force, command="bilan"):
            replaced.append(target)
    return replaced


def _bilan_rows(sources: list[Source], secrecy: bool, today: date, std: Standard, limits: Limits | None,
                progress) -> tuple[MergedBooks, Report]:
    """The territory's rows, merged as `merge` merges them (a consolidated workbook is read back
    as it is), and the report of the reading. Errors in the workbooks are kept; a file that
    cannot be read, or no CTG workbook at all, stops the bilan."""
    from ctgxl.checking.check import check_books, read_all
    from ctgxl.findings import ERREUR
    from ctgxl.merging.consolidate import consolidate

    with _local_files(sources, limits) as (paths, names):
        books, missing = read_all(paths, limits, progress, standard=std, names=names)
        shown = ", ".join(f"« {names.get(path, path)} »" for path in paths)
    report = check_books(books, missing, standard=std, today=today)
    if report.unreadable:
        unreadable = report.missing + [finding for finding in report.findings
                                       if finding.code.startswith("fichier-") and finding.severity == ERREUR]
        detail = unreadable[0].message if unreadable else "un fichier n'a pas pu être lu."
        raise Unreadable(unreadable, f"{detail} Le bilan n'est pas écrit.")
    if not any(book.readable and book.tables for book in books):
        raise NothingRecognised(f"Aucun classeur CTG reconnu dans {shown} : donnez le classeur consolidé ou les "
                                "fichiers des services.", report)
    return consolidate(report, secrecy=secrecy, today=today, standard=std), report


def diff(old: Source | list[Source], new: Source | list[Source], *,
         standard: Standard | str | os.PathLike | None = None, limits: Limits | None = None) -> Diff:
    """What changed from the version ``old`` to the version ``new`` of a territory's workbooks,
    each a consolidated workbook, a service's workbook or folders of services' files (a source
    or a list of sources). Rows are matched by the keys of the standard. Raises
    ``UnreadableVersion`` (``version``: "ancienne" or "nouvelle") when a file cannot be read or
    nothing of the standard is found."""
    from ctgxl.merging.diff import diff_tables, read_version

    std = _standard(standard)
    versions = []
    for which, sources in (("ancienne", old), ("nouvelle", new)):
        with _local_files(sources, limits) as (paths, names):
            try:
                versions.append(read_version(paths, limits, names=names, standard=std))
            except UnreadableVersion as problem:
                raise UnreadableVersion(problem.detail, which) from None
    found = diff_tables(*versions, standard=std)
    found.sources = [Path(source) for source in _as_list(old) + _as_list(new) if not _is_stream(source)]
    return found


def write_changes(found: Diff, output: Output, old_label: str, new_label: str, *, force: bool = False,
                  today: date | None = None) -> Path | None:
    """The « liste des modifications » of a `diff` (a workbook, one row per change, to attach
    to an avenant) to ``output``; ``old_label`` and ``new_label`` name the versions at its top,
    ``today`` the date it is drawn up (default: today). Returns the path written (None for a
    stream). Raises ``OutputIsInput`` when ``output`` is a file the diff read (even with
    ``force``), ``OutputExists`` unless ``force`` or the file is an earlier list."""
    from ctgxl.writing import changes
    from ctgxl.writing.outputs import may_replace

    _not_an_input(output, found.sources)
    may_replace(output, force=force, command="diff")
    changes.write_changes(found, output, old_label, new_label, today)
    return None if _is_stream(output) else Path(output)


def _name(source) -> str:
    """A source as messages name it: its path, or a stream's name."""
    return (getattr(source, "name", None) or "flux") if _is_stream(source) else str(source)


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
    refuse_input_as_output(Path(output), [Path(source) for source in _as_list(sources) if not _is_stream(source)])


def _as_list(sources) -> list:
    """One source or a list of them, as a list."""
    return list(sources) if isinstance(sources, (list, tuple)) else [sources]


@contextmanager
def _local_files(sources, limits: Limits | None):
    """(paths, names): paths as given, and each stream copied to a private temporary folder
    (removed afterwards) so that the reader measures and opens it like any file; ``names``
    maps such a copy to the stream's name. A copy stops one byte past the size limit: the
    reader then reports the file as too large without more being stored."""
    import tempfile

    from ctgxl.limits import Limits

    sources = _as_list(sources)
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
