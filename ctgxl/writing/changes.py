"""The « liste des modifications » a coordinator attaches to an avenant: one row per change
between two versions (``ctgxl diff --format xlsx``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ctgxl.merging.diff import ADDED, CHANGED, REMOVED, Change, Diff
from ctgxl.reading.values import as_text, is_number
from ctgxl.text import fr_figure
from ctgxl.writing.writer import LINE_HEIGHT, WorkbookWriter, _wrapped_lines, print_setup, write_value

TITLE = "Liste des modifications"
KIND_LABELS = {ADDED: "Ligne ajoutée", REMOVED: "Ligne supprimée", CHANGED: "Valeur modifiée"}
COLUMNS = (("Feuille", 20), ("Ligne (clé)", 26), ("Intitulé", 34), ("Type de modification", 17),
           ("Champ", 24), ("Ancienne valeur", 38), ("Nouvelle valeur", 38))
KIND_FILLS = {ADDED: "#E2EFDA", REMOVED: "#FCE4D6", CHANGED: "#FFFFFF"}
HEADER_ROW = 4  # below the title and the two versions compared


def key_text(change: Change) -> str:
    return " / ".join(part for part in change.key if part)


def row_text(values: dict[str, object] | None) -> str | None:
    """A row added or removed, as « Champ : valeur » lines."""
    if not values:
        return None
    return "\n".join(f"{name} : {fr_figure(value) if is_number(value) else as_text(value)}"
                     for name, value in values.items())


def write_changes(diff: Diff, output: Path, old_label: str, new_label: str, today: date | None = None) -> None:
    writer = WorkbookWriter(output, "modifications", command="diff", title=TITLE)
    try:
        _sheet(writer, diff, old_label, new_label, today or date.today())
    except BaseException:
        writer.abort()
        raise
    writer.close()


def _sheet(writer: WorkbookWriter, diff: Diff, old_label: str, new_label: str, today: date) -> None:
    book, fmt = writer.book, writer.formats
    sheet = book.add_worksheet("Modifications")
    sheet.write_string(0, 0, TITLE, fmt.title)
    sheet.write_string(1, 0, f"Version précédente : {old_label}", fmt.bold)
    sheet.write_string(2, 0, f"Nouvelle version : {new_label} — liste établie le {today:%d/%m/%Y}", fmt.bold)
    for index, (header, width) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, index, header, fmt.header)
        sheet.set_column(index, index, width, fmt.wrap)
    sheet.set_row(HEADER_ROW, 2 * LINE_HEIGHT + 2)
    fills = {kind: book.add_format({"bg_color": colour, "text_wrap": True, "valign": "top", "align": "left",
                                    "border": 1, "border_color": "#BFBFBF"})
             for kind, colour in KIND_FILLS.items()}
    dates = {kind: book.add_format({"bg_color": colour, "valign": "top", "border": 1, "border_color": "#BFBFBF",
                                    "num_format": "dd/mm/yyyy", "align": "left"})
             for kind, colour in KIND_FILLS.items()}
    changes = diff.changes()
    for row, change in enumerate(changes, start=HEADER_ROW + 1):
        old = row_text(change.old) if change.kind == REMOVED else change.old
        new = row_text(change.new) if change.kind == ADDED else change.new
        values = (change.sheet, key_text(change), change.label, KIND_LABELS[change.kind], change.column, old, new)
        lines = max(_wrapped_lines(as_text(value), width, density=1.0)
                    for value, (_, width) in zip(values, COLUMNS) if value is not None)
        sheet.set_row(row, min(lines, 30) * LINE_HEIGHT + 2)
        for col, value in enumerate(values):
            cell_format = dates[change.kind] if hasattr(value, "year") else fills[change.kind]
            write_value(sheet, row, col, value, cell_format)
    if not changes:
        sheet.write_string(HEADER_ROW + 1, 0, "Aucune modification entre les deux versions.", fmt.help)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(changes), 1), len(COLUMNS) - 1)
    print_setup(sheet, landscape=True, total_width=sum(width for _, width in COLUMNS), header_row=False)
    sheet.repeat_rows(HEADER_ROW)
    sheet.activate()
