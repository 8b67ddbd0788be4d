"""What the library raises when it cannot do what was asked. Each carries one French
sentence (``str(error)``); only the command line turns them into exit codes."""

from __future__ import annotations

from pathlib import Path


class CtgxlError(Exception):
    """Any refusal of ctgxl, with a French message."""


class OutputExists(CtgxlError):
    """The output already exists and was not written by the same ctgxl command."""

    def __init__(self, path: Path, message: str | None = None):
        self.path = Path(path)
        super().__init__(message or f"« {path} » existe déjà : choisissez un autre nom ou ajoutez --force pour "
                                    "le remplacer.")


class OutputIsInput(CtgxlError):
    """The output would replace one of the inputs: inputs are never modified."""

    def __init__(self, path: Path, message: str):
        self.path = Path(path)
        super().__init__(message)


class Unreadable(CtgxlError):
    """The one workbook to work on could not be read; ``findings`` say why."""

    def __init__(self, findings: list):
        self.findings = list(findings)
        super().__init__(" ".join(finding.message for finding in self.findings) or "Le fichier n'a pas pu être lu.")


class NoWorkbook(CtgxlError):
    """The folders named hold no workbook at all: nothing was checked."""


class NothingRecognised(CtgxlError):
    """No sheet of the CTG standard in the workbook."""


class NotConsolidated(CtgxlError):
    """A workbook given to split that is not a consolidated workbook."""


class ErrorsRemain(CtgxlError):
    """The merge was refused: errors remain (or an input could not be read). Nothing was
    written; ``report`` holds every finding."""

    def __init__(self, report, message: str | None = None):
        self.report = report
        errors = len(report.errors)
        super().__init__(message or f"Fusion refusée : {errors} erreur{'s' if errors > 1 else ''} à corriger "
                                    "(ou relancez avec --malgre-erreurs). Aucun fichier n'a été écrit.")


class ConflictsRemain(ErrorsRemain):
    """Refused because the same row has different contents in two files (among other errors)."""


class InputsUnreadable(ErrorsRemain):
    """Refused because at least one input could not be read at all."""
