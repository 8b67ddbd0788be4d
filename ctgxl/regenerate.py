"""Rewrites what is generated from the standard: the blank templates in ``workbook_templates/``
and the reference page ``docs/standard.md``.

    python -m ctgxl.regenerate

Run it after any change under ``validators/`` (or to the writer); the golden tests compare
against these files. The templates carry a fixed document date, so regenerating an unchanged
standard gives the same bytes.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from ctgxl import docs
from ctgxl.standard import Standard, load
from ctgxl.writing.template import KINDS, default_name, write_template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "workbook_templates"
DOCS_PAGE = ROOT / "docs" / "standard.md"
# The document date of the committed templates: fixed, so that they are reproducible.
FIXED_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def write_templates(directory: Path = TEMPLATES_DIR, standard: Standard | None = None) -> list[Path]:
    """The four blank templates (no prefill) into ``directory``."""
    return [write_template(Path(directory) / default_name(kind), kind, standard=standard, created=FIXED_DATE)
            for kind in KINDS]


def regenerate(root: Path = ROOT, standard: Standard | None = None) -> list[Path]:
    standard = standard or load()
    written = write_templates(Path(root) / TEMPLATES_DIR.name, standard)
    written.append(docs.write(Path(root) / "docs" / DOCS_PAGE.name, standard))
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    root = Path(args[0]) if args else ROOT
    for path in regenerate(root):
        print(f"Écrit : {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
