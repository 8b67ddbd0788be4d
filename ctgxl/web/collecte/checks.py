"""The library's check and merge applied to stored versions, each read under the name the
person gave it (so that reports and the consolidated workbook's Sources say that name)."""

from __future__ import annotations

from pathlib import Path

from ctgxl.web.collecte import storage


def read_versions(versions):
    """Read in the check page's worker processes: a hostile file costs one finding, not the server."""
    from ctgxl.web.verification.workers import read_books

    names = display_names(versions)
    with storage.readable_copies(versions) as paths:
        return read_books([(paths[version.id], names[version.id]) for version in versions])


def display_names(versions) -> dict[int, str]:
    """The person's file names; when two contributors sent files of the same name, each is
    prefixed by its contributor so that the report and the Sources sheet tell them apart."""
    names = [version.nom_fichier for version in versions]
    return {version.id: (f"{version.contributeur.nom} — {version.nom_fichier}"
                         if names.count(version.nom_fichier) > 1 else version.nom_fichier)
            for version in versions}


def report_of(versions):
    from ctgxl.checking.check import check_books

    return check_books(read_versions(versions))


def summary(report) -> dict:
    """What a version row keeps of its report: counts for the dashboard, the findings as JSON."""
    return {"lisible": not report.unreadable, "erreurs": len(report.errors),
            "avertissements": len(report.warnings), "rapport": report.as_json()}


def check_stored(received: storage.Received, display_name: str):
    from ctgxl.checking.check import check_books

    return check_books(read_versions([_Pending(received.sha256, display_name)]))


class _Pending:
    """A stored file not yet a version (its row is written after the check)."""

    id = None
    contributeur = None

    def __init__(self, sha256: str, nom_fichier: str):
        self.sha256, self.nom_fichier = sha256, nom_fichier


def merge_versions(versions, output: Path, *, secrecy: bool = False, despite_errors: bool = False):
    """Exactly what `ctgxl merge` does with the same files (same reading, same merge); raises
    ctgxl.errors.ErrorsRemain while errors remain, unless ``despite_errors``."""
    from ctgxl.api import merge_read

    return merge_read(read_versions(versions), [], output, secret_statistique=secrecy, malgre_erreurs=despite_errors)
