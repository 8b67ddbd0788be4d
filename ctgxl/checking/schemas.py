"""pandera schemas built from the standard, one per sheet, and their failures as findings.

Each check is named by the finding code it raises; ``lazy=True`` collects every failing
cell of every file in one call per sheet kind.
"""

from __future__ import annotations

from functools import lru_cache

import warnings

import pandas as pd

from ctgxl.findings import AVERTISSEMENT, ERREUR, Finding
from ctgxl.standard import Column, Sheet, load
from ctgxl.text import closest, fr, quote
from ctgxl.reading.values import as_text


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.where(series.map(lambda value: isinstance(value, (int, float)))), errors="coerce")


def _in_list(allowed: tuple[str, ...]):
    choices = set(allowed)
    return lambda series: series.isna() | series.isin(choices)


def _all_in_list(allowed: tuple[str, ...]):
    choices = set(allowed)

    def check(series: pd.Series) -> pd.Series:
        return series.map(lambda value: value is None or all(part in choices for part in str(value).split("; ")))

    return check


def _present(series: pd.Series) -> pd.Series:
    return series.notna()


def _at_least(minimum: float):
    def check(series: pd.Series) -> pd.Series:
        numbers = _numbers(series)
        return numbers.isna() | (numbers >= minimum)

    return check


def _at_most(maximum: float):
    def check(series: pd.Series) -> pd.Series:
        numbers = _numbers(series)
        return numbers.isna() | (numbers <= maximum)

    return check


def _short_enough(limit: int):
    return lambda series: series.isna() | (series.map(lambda value: len(str(value))) <= limit)


def column_checks(column: Column) -> list:
    import pandera.pandas as pa

    checks = []
    if column.empty in ("erreur", "avertissement") and not column.default:
        code = "valeur-obligatoire" if column.empty == "erreur" else "valeur-manquante"
        checks.append(pa.Check(_present, name=code, ignore_na=False))
    if column.type == "liste":
        checks.append(pa.Check(_in_list(column.allowed), name="valeur-hors-liste", ignore_na=False))
    if column.type == "multiliste":
        checks.append(pa.Check(_all_in_list(column.allowed), name="valeur-hors-liste", ignore_na=False))
    if column.min is not None:
        checks.append(pa.Check(_at_least(column.min), name="nombre-negatif" if column.min == 0 else "valeur-hors-bornes",
                               ignore_na=False))
    if column.max is not None:
        checks.append(pa.Check(_at_most(column.max), name="valeur-hors-bornes", ignore_na=False))
    if column.max_length:
        checks.append(pa.Check(_short_enough(column.max_length), name="texte-trop-long", ignore_na=False))
    return checks


def schema_for(spec: Sheet, frame_columns: list[str]):
    return _schema(spec)


@lru_cache(maxsize=32)
def _schema(spec: Sheet):
    """Built once per sheet of the standard (about 9 ms each): a server checks many uploads."""
    import pandera.pandas as pa

    columns = {}
    for column in spec.columns:
        checks = column_checks(column)
        if checks:
            columns[column.id] = pa.Column(object, checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, name=spec.name, strict=False, coerce=False)


def warm() -> None:
    """pandera's first validation loads its backends, a good part of a small check's time:
    done ahead, on a frame of one cell, while the files are read."""
    import pandera.pandas as pa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pa.DataFrameSchema({"x": pa.Column(object, checks=[pa.Check(_present, name="x", ignore_na=False)],
                                           nullable=True)}).validate(pd.DataFrame({"x": ["x"]}), lazy=True)


def validate(spec: Sheet, frame: pd.DataFrame, locate) -> list[Finding]:
    """Run the sheet's schema on all rows at once; ``locate(row, column_id)`` gives
    (file, sheet, cell, row) for a failing cell."""
    import pandera.errors

    if frame.empty:
        return []
    schema = schema_for(spec, list(frame.columns))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            schema.validate(frame, lazy=True)
            return []
        except pandera.errors.SchemaErrors as errors:
            failures = errors.failure_cases
    findings = []
    columns = {column.id: column for column in spec.columns}
    for failure in failures.itertuples(index=False):
        column = columns.get(failure.column)
        if column is None or pd.isna(failure.index):
            continue
        row = frame.loc[int(failure.index)]
        code = str(failure.check)
        value = row[failure.column]
        severity, message = describe(code, column, value)
        file, sheet, cell, excel_row = locate(row, column.id)
        findings.append(Finding(file, sheet, cell, excel_row, column.header, code, severity, message))
    return findings


def describe(code: str, column: Column, value: object) -> tuple[str, str]:
    """Severity and French sentence for a failed column check."""
    header = column.header
    if code == "valeur-obligatoire":
        hint = f" Attendu : {column.help}" if column.help else ""
        return ERREUR, f"La colonne « {header} » est obligatoire et cette cellule est vide.{hint}"
    if code == "valeur-manquante":
        return AVERTISSEMENT, f"La cellule « {header} » est vide : complétez-la si possible. Attendu : {column.help}"
    if code == "valeur-hors-liste":
        text = as_text(value)
        parts = [part for part in text.split("; ") if part not in column.allowed] or [text]
        suggestion = closest(parts[0], column.allowed)
        hint = f" Vouliez-vous dire « {suggestion} » ?" if suggestion else ""
        return ERREUR, (f"{quote(parts[0])} n'est pas une valeur de la liste « {header} ».{hint} "
                        f"Valeurs admises : {', '.join(column.allowed)}.")
    if code == "nombre-negatif":
        return ERREUR, f"{quote(as_text(value))} est négatif : « {header} » doit être un nombre positif ou nul."
    if code == "valeur-hors-bornes":
        return ERREUR, (f"{quote(as_text(value))} est hors des bornes de « {header} » "
                        f"({_bounds(column)}).")
    if code == "texte-trop-long":
        return ERREUR, (f"Le texte {quote(as_text(value), 40)} compte {len(as_text(value))} caractères : "
                        f"« {header} » en admet {column.max_length} au plus. Raccourcissez-le.")
    return ERREUR, f"{quote(as_text(value))} ne respecte pas la règle « {code} » de la colonne « {header} »."


def _bounds(column: Column) -> str:
    low = "" if column.min is None else f"au moins {fr(column.min)}"
    high = "" if column.max is None else f"au plus {fr(column.max)}"
    return ", ".join(part for part in (low, high) if part)


def all_schemas() -> dict:
    """Every sheet's schema, for documentation and tests."""
    std = load()
    return {name: schema_for(spec, [column.id for column in spec.columns])
            for name, spec in std.sheets.items() if spec.layout == "table"}
