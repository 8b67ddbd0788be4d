"""The diagnostic's figures that compare with the département: rates, ratios and amounts
(the counts of a commune and of a département do not compare). Used by the consolidated
workbook's Synthèse and by the bilan's largest gaps."""

from __future__ import annotations

from dataclasses import dataclass

from ctgxl.reading.values import is_number

POINT_UNITS = ("%", "‰")


@dataclass(frozen=True)
class Comparison:
    indicator: str
    volet: str | None
    commune: str | None
    year: object
    unit: str | None
    value: float
    department: float

    @property
    def gap(self) -> float:
        return self.value - self.department

    @property
    def relative_gap(self) -> float | None:
        """The gap as a share of the département's value (None when that value is 0)."""
        return None if self.department == 0 else self.gap / abs(self.department)

    @property
    def marked(self) -> bool:
        """A marked gap: more than 5 points for a rate, more than 20 % otherwise."""
        if self.unit in POINT_UNITS:
            return abs(self.gap) > 5
        return self.relative_gap is not None and abs(self.relative_gap) > 0.2


def comparisons(columns: list[str], rows: list[list]) -> list[Comparison]:
    """Comparable figures of Diagnostic rows (in the order of ``columns``), the whole
    territory's first, then those of each commune."""
    at = {column: index for index, column in enumerate(columns)}
    found = []
    for values in rows:
        value, department, unit = values[at["valeur"]], values[at["valeur_departement"]], values[at["unite"]]
        if is_number(value) and is_number(department) and unit != "Nombre":
            found.append(Comparison(values[at["indicateur"]], values[at["volet"]], values[at["commune"]],
                                    values[at["annee"]], unit, value, department))
    found.sort(key=lambda figure: figure.commune is not None)
    return found


def largest_gaps(figures: list[Comparison], count: int) -> list[Comparison]:
    """The ``count`` figures furthest from the département, relative to its value (marked ones
    first). Amounts in € are left out (most are totals, a commune's always far below its
    département's), and so are figures equal to the département's."""
    def size(figure: Comparison) -> tuple:
        relative = figure.relative_gap
        return (figure.marked, abs(relative) if relative is not None else float("inf"))

    ranked = [figure for figure in figures if figure.gap and figure.unit != "€"]
    return sorted(ranked, key=size, reverse=True)[:count]
