"""Blank templates, optionally prefilled with the territory's identification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ctgxl.standard import IDENTIFICATION, Standard, load
from ctgxl.writing.writer import WorkbookWriter

KINDS = ("diagnostic", "equipements", "plan-actions", "complet")


@dataclass(frozen=True)
class Prefill:
    territoire: str | None = None
    type_territoire: str | None = None
    code: str | None = None
    caf: str | None = None
    debut: int | None = None
    fin: int | None = None
    communes: tuple[str, ...] = field(default_factory=tuple)
    service: str | None = None

    def identification(self) -> dict[str, object]:
        return {
            "territoire": self.territoire,
            "type_territoire": self.type_territoire,
            "code": self.code,
            "caf": self.caf,
            "debut": date(self.debut, 1, 1) if self.debut else None,
            "fin": date(self.fin, 12, 31) if self.fin else None,
            "communes": "; ".join(self.communes) or None,
            "service": self.service,
        }

    @property
    def years(self) -> range | None:
        if self.debut and self.fin and self.debut <= self.fin:
            return range(self.debut, self.fin + 1)
        return None


def write_template(target, kind: str, prefill: Prefill | None = None, *, standard: Standard | None = None,
                   created: datetime | None = None):
    """Write the blank workbook of ``kind`` to ``target`` (a path, written atomically, or a stream).

    ``standard`` defaults to the one in ``validators/``; ``created`` fixes the document date
    (for reproducible files such as ``workbook_templates/``).
    """
    prefill = prefill or Prefill()
    standard = standard or load()
    writer = WorkbookWriter(target, kind, standard=standard, created=created)
    try:
        writer.add_readme(prefill.service)
        for name in standard.templates[kind].sheets:
            if name == IDENTIFICATION:
                writer.add_identification(prefill.identification())
            else:
                writer.add_table(standard.sheet(name), years=prefill.years)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return target


def default_name(kind: str) -> str:
    return f"ctg-{kind}.xlsx"
