"""What the library raises when it cannot do what was asked. Each carries one French
sentence (``str(error)``); only the command line turns them into exit codes."""

from __future__ import annotations

import errno
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


class OutputBusy(CtgxlError):
    """Another run is writing the same output right now."""

    def __init__(self, path: Path):
        self.path = Path(path)
        super().__init__(f"Une autre commande ctgxl écrit déjà « {path} » en ce moment : attendez qu'elle se "
                         "termine, puis relancez.")


_DISK = {
    errno.ENOSPC: "le disque est plein",
    errno.EROFS: "le dossier est en lecture seule",
    errno.EACCES: "vous n'avez pas le droit d'écrire dans ce dossier",
    errno.EPERM: "vous n'avez pas le droit d'écrire dans ce dossier",
    errno.EDQUOT: "votre quota de disque est atteint",
    errno.ENOENT: "le dossier n'existe plus",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.ENAMETOOLONG: "le nom est trop long",
    errno.EIO: "erreur d'entrée-sortie du disque",
}


class WriteFailed(CtgxlError):
    """The disk refused the output (full, read-only, permission…). Nothing was written."""

    def __init__(self, path: Path, error: OSError):
        self.path = Path(path)
        self.errno = error.errno
        why = _DISK.get(error.errno, f"erreur système {error.errno}" if error.errno else "erreur système")
        super().__init__(f"« {path} » n'a pas pu être écrit : {why}. Aucun fichier n'a été modifié.")


class Unreadable(CtgxlError):
    """A workbook to work on could not be read, or does not exist; ``findings`` say why."""

    def __init__(self, findings: list, message: str | None = None):
        self.findings = list(findings)
        super().__init__(message or " ".join(finding.message for finding in self.findings)
                         or "Le fichier n'a pas pu être lu.")


class UnreadableVersion(CtgxlError):
    """A version given to diff that cannot be compared: a file unreadable, or nothing of the
    standard in it. ``detail`` says why; ``version`` is "ancienne" or "nouvelle" once known."""

    def __init__(self, detail: str, version: str | None = None):
        self.detail = detail
        self.version = version
        article = {"ancienne": "L'ancienne", "nouvelle": "La nouvelle"}.get(version)
        super().__init__(f"{article} version ne peut pas être lue : {detail}" if article else detail)


class NoWorkbook(CtgxlError):
    """The folders named hold no workbook at all: nothing was checked."""


class NothingRecognised(CtgxlError):
    """No sheet of the CTG standard in the workbooks given. For a merge, ``report`` holds
    every finding (nothing was written)."""

    def __init__(self, message: str, report=None):
        self.report = report
        super().__init__(message)


class WrongOutputType(CtgxlError):
    """An output path whose extension is not the one of what is written there (a bilan's
    workbook named .pptx…). ``output`` names the argument, ``expected`` the extension."""

    WHAT = {"output": "Le classeur du bilan", "pptx": "Le diaporama", "html": "La page HTML"}

    def __init__(self, path: Path, expected: str, output: str):
        self.path = Path(path)
        self.expected = expected
        self.output = output
        super().__init__(f"{self.WHAT.get(output, 'Ce fichier')} s'écrit dans un fichier {expected} : « {path} » "
                         "n'en est pas un.")


class DuplicateOutput(CtgxlError):
    """The same file is asked for two outputs of one run: the second would replace the first."""

    def __init__(self, path, message: str | None = None):
        self.path = path
        super().__init__(message or f"« {path} » est demandé pour deux sorties : choisissez deux noms.")


class OtherTerritory(CtgxlError):
    """An earlier version (``depuis``) that is the convention of another territory."""


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
