"""What changed between two versions of a territory's workbooks: rows added, removed and
changed per sheet, matched by the keys the standard declares (``cle`` in ``validators/``).

The API (pure data, nothing printed):

- ``read_version(paths, names=…) -> Version``: one version, from a consolidated workbook, a
  service's workbook, or folders of services' files (merged as ``ctgxl merge`` would,
  without its checks); ``names`` names the temporary copies of streams, as for ``read_all``.
  Raises ``ctgxl.errors.UnreadableVersion`` (a French message) when a file cannot be read or
  no sheet of the standard is found.
- ``diff_tables(old, new) -> Diff``: compares two versions. A ``Version`` is plain data,
  ``{sheet name: [ {column id: typed value} ]}``, as the reader types it (``"Statut":
  "En cours"``, years as ``"2025"`` columns); the ``Identification`` sheet is one row.
- ``version_of(consolidation) -> Version``: the version a ``merging.consolidate`` result holds
  (what ``ctgxl bilan --depuis`` compares, without reading the files twice).
- ``diff(old_paths, new_paths) -> Diff``: both at once.
- ``Diff.sheets`` (one ``SheetDiff`` per sheet with a difference, in the standard's order:
  ``added``, ``removed``, ``changed``), ``Diff.changes()`` (one ``Change`` per added or
  removed row and per changed field, as the « liste des modifications » lists them),
  ``Diff.as_json()``, ``bool(diff)`` (whether anything changed).

Values are compared as the standard reads them, never as raw text: list values in their
canonical spelling, numbers and dates parsed, several names or list values as a set, texts
without differences of spacing or apostrophes. Provenance columns (contributor, source file),
columns outside the standard and the per-file fields of Identification (service, contact,
courriel, date de mise à jour) are not compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ctgxl.errors import UnreadableVersion
from ctgxl.findings import ERREUR
from ctgxl.standard import DATA_SHEETS, EQUIPEMENTS, IDENTIFICATION, Column, Sheet, Standard, load
from ctgxl.text import fold, fold_name, plain
from ctgxl.reading.values import as_text, is_empty, is_number, split_names

Row = dict[str, object]
Version = dict[str, list[Row]]

ADDED = "ajout"
REMOVED = "suppression"
CHANGED = "modification"
# Identification fields that say who filled a file, not what the convention is.
PER_FILE_FIELDS = ("service", "contact", "courriel", "mise_a_jour")
SHEET_ORDER = (IDENTIFICATION, *DATA_SHEETS)


@dataclass(frozen=True)
class FieldChange:
    column: str  # the header, or the year of a year column ("2025")
    old: object
    new: object


@dataclass(frozen=True)
class RowChange:
    key: tuple[str, ...]  # the key's values as text
    label: str | None  # what the row is about, when the key alone does not say (the action's title)
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class RowEntry:
    """A row added or removed: its key and its non-empty values by header."""

    key: tuple[str, ...]
    label: str | None
    values: dict[str, object]


@dataclass(frozen=True)
class Change:
    """One line of the « liste des modifications »."""

    sheet: str
    key: tuple[str, ...]
    label: str | None
    kind: str  # ADDED, REMOVED or CHANGED
    column: str | None  # None for a row added or removed
    old: object
    new: object


@dataclass
class SheetDiff:
    name: str
    key_headers: tuple[str, ...]
    added: list[RowEntry] = field(default_factory=list)
    removed: list[RowEntry] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class Diff:
    sheets: dict[str, SheetDiff]
    # The files the two versions were read from: the list of changes never replaces one of them.
    sources: list[Path] = field(default_factory=list, repr=False, compare=False)

    def __bool__(self) -> bool:
        return any(self.sheets.values())

    def changes(self) -> list[Change]:
        found: list[Change] = []
        for sheet in self.sheets.values():
            found += [Change(sheet.name, entry.key, entry.label, ADDED, None, None, entry.values)
                      for entry in sheet.added]
            found += [Change(sheet.name, entry.key, entry.label, REMOVED, None, entry.values, None)
                      for entry in sheet.removed]
            found += [Change(sheet.name, row.key, row.label, CHANGED, item.column, item.old, item.new)
                      for row in sheet.changed for item in row.fields]
        return found

    def counts(self) -> dict[str, int]:
        sheets = self.sheets.values()
        return {"ajoutees": sum(len(sheet.added) for sheet in sheets),
                "supprimees": sum(len(sheet.removed) for sheet in sheets),
                "modifiees": sum(len(sheet.changed) for sheet in sheets),
                "champs_modifies": sum(len(row.fields) for sheet in sheets for row in sheet.changed)}

    def as_json(self) -> dict:
        def entry(item: RowEntry) -> dict:
            return {"cle": list(item.key), "libelle": item.label,
                    "valeurs": {name: json_value(value) for name, value in item.values.items()}}

        return {
            "feuilles": [
                {"feuille": sheet.name, "cle": list(sheet.key_headers),
                 "ajoutees": [entry(item) for item in sheet.added],
                 "supprimees": [entry(item) for item in sheet.removed],
                 "modifiees": [{"cle": list(row.key), "libelle": row.label,
                                "champs": [{"colonne": item.column, "ancienne": json_value(item.old),
                                            "nouvelle": json_value(item.new)} for item in row.fields]}
                               for row in sheet.changed]}
                for sheet in self.sheets.values()],
            "resume": self.counts(),
        }


def json_value(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return value


def diff(old_paths: list[Path], new_paths: list[Path]) -> Diff:
    return diff_tables(read_version(old_paths), read_version(new_paths))


def read_version(paths: list[Path], limits=None, *, names: dict[Path, str] | None = None,
                 standard: Standard | None = None) -> Version:
    """One version of a territory's workbooks, rows merged by key as ``ctgxl merge`` does."""
    from ctgxl.checking.check import Report, read_all
    from ctgxl.merging.consolidate import consolidate
    from ctgxl.reading.tables import build_tables

    books, missing = read_all(list(paths), limits, standard=standard, names=names)
    problems = [finding.message for finding in missing if finding.severity == ERREUR]
    problems += [f"« {finding.file} » : {finding.message}" for book in books if not book.readable
                 for finding in book.findings]
    if problems:
        more = f" ; et {len(problems) - 5} autres fichiers illisibles" if len(problems) > 5 else ""
        raise UnreadableVersion(" ; ".join(problems[:5]) + more)
    if not any(book.tables or book.identification for book in books):
        shown = ", ".join(f"« {(names or {}).get(Path(path), path)} »" for path in paths)
        raise UnreadableVersion(f"aucune feuille du standard CTG n'a été reconnue dans {shown}.")
    # The date only fills Identification's « mise à jour », a per-file field never compared.
    report = Report(books=books, findings=[], tables=build_tables(books, standard=standard))
    return version_of(consolidate(report, today=date.today(), standard=standard))


def version_of(consolidation) -> Version:
    """The rows of a consolidation (``merging.consolidate``) as a version to compare."""
    version: Version = {}
    if any(book.identification for book in consolidation.books):
        version[IDENTIFICATION] = [dict(consolidation.identification)]
    for name, sheet in consolidation.sheets.items():
        version[name] = [dict(zip(sheet.columns, row)) for row in sheet.rows]
    return version


def diff_tables(old: Version, new: Version, standard: Standard | None = None) -> Diff:
    std = standard or load()
    sheets: dict[str, SheetDiff] = {}
    for name in SHEET_ORDER:
        if name not in old and name not in new:
            continue
        found = _diff_sheet(std.sheet(name), old.get(name, []), new.get(name, []))
        if found:
            sheets[name] = found
    return Diff(sheets)


def _diff_sheet(spec: Sheet, old_rows: list[Row], new_rows: list[Row]) -> SheetDiff:
    identification = spec.name == IDENTIFICATION
    key_ids = () if identification else spec.key
    columns = {column.id: column for column in spec.columns if column.id not in key_ids
               and not (identification and column.id in PER_FILE_FIELDS)}
    years = sorted({name for row in (*old_rows, *new_rows) for name in row if name.isdigit()}, key=int)
    result = SheetDiff(spec.name, tuple(spec.column(column_id).header for column_id in key_ids))
    old_index = _by_key(spec, key_ids, old_rows)
    new_index = _by_key(spec, key_ids, new_rows)
    for key, row in new_index.items():
        if key not in old_index:
            result.added.append(RowEntry(_shown_key(key_ids, row), _label(spec, row), _values(spec, row)))
            continue
        before = old_index[key]
        fields = [FieldChange(column.header, before.get(column_id), row.get(column_id))
                  for column_id, column in columns.items()
                  if _differ(column, before.get(column_id), row.get(column_id))]
        fields += [FieldChange(year, before.get(year), row.get(year)) for year in years
                   if _differ(None, before.get(year), row.get(year))]
        if fields:
            result.changed.append(RowChange(_shown_key(key_ids, row), _label(spec, row), tuple(fields)))
    for key, row in old_index.items():
        if key not in new_index:
            result.removed.append(RowEntry(_shown_key(key_ids, row), _label(spec, row), _values(spec, row)))
    return result


def _by_key(spec: Sheet, key_ids: tuple[str, ...], rows: list[Row]) -> dict[tuple, Row]:
    """Rows by folded key; a key met twice gets its rank, a row without key its whole content."""
    # Names (structures, communes) compare without punctuation as well, as the merge does.
    folds = [fold_name if spec.name == EQUIPEMENTS or spec.column(column_id).type == "commune" else fold
             for column_id in key_ids]
    index: dict[tuple, Row] = {}
    for row in rows:
        parts = tuple("" if is_empty(value := row.get(column_id)) else folding(as_text(value))
                      for column_id, folding in zip(key_ids, folds))
        if key_ids and not any(parts):
            parts = tuple(sorted((name, repr(_canonical(None, value))) for name, value in row.items()))
        key, rank = (parts, 0), 0
        while key in index:
            rank += 1
            key = (parts, rank)
        index[key] = row
    return index


def _shown_key(key_ids: tuple[str, ...], row: Row) -> tuple[str, ...]:
    return tuple("" if is_empty(row.get(column_id)) else as_text(row.get(column_id)) for column_id in key_ids)


def _label(spec: Sheet, row: Row) -> str | None:
    if spec.label is None or is_empty(row.get(spec.label)):
        return None
    return as_text(row[spec.label])


def _values(spec: Sheet, row: Row) -> dict[str, object]:
    headers = {column.id: column.header for column in spec.columns}
    return {headers.get(name, name): value for name, value in row.items()
            if (name in headers or name.isdigit()) and not is_empty(value)
            and not (spec.name == IDENTIFICATION and name in PER_FILE_FIELDS)}


def _differ(column: Column | None, old: object, new: object) -> bool:
    # Most values are the same object or equal (1 == 1.0): only the others are canonicalised.
    if old is new or (old.__class__ is new.__class__ and old == new):
        return False
    return _canonical(column, old) != _canonical(column, new)


def _canonical(column: Column | None, value: object) -> object:
    """What two values must share to be the same value of this column."""
    if is_empty(value):
        return None
    if is_number(value):
        return round(float(value), 9) if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    kind = column.type if column is not None else None
    if kind in ("multiliste", "communes"):
        return frozenset(fold_name(part) for part in split_names(value))
    if kind in ("liste", "commune"):
        return fold_name(as_text(value))
    return plain(as_text(value))
