"""Files of the collection, stored under the data folder by content hash
(fichiers/<sha256[:2]>/<sha256>), never under the name the person gave them.

A version is stored in two steps, each atomic: the file (temporary file, fsync, rename), then
its database row (one transaction). A server killed in between leaves at most a file that no
version points to, never a version without its file; temporary files of dead processes are
removed at start-up."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

FILES = "fichiers"
IN_PROGRESS = ".en-cours"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def files_dir() -> Path:
    return data_dir() / FILES


def path_of(sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise ValueError("empreinte SHA-256 invalide")
    return files_dir() / sha256[:2] / sha256


def _in_progress_dir() -> Path:
    folder = files_dir() / IN_PROGRESS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Received:
    sha256: str
    size: int
    path: Path  # the stored file


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def store_file(chunks) -> Received:
    """Write the bytes of ``chunks`` to the store; the same content is stored once."""
    handle, temporary = tempfile.mkstemp(prefix=f"{os.getpid()}-", dir=_in_progress_dir())
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        target = path_of(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)  # same content, same name: replacing is harmless
        _fsync_dir(target.parent)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return Received(sha256, size, target)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is only starting: nothing of it is in progress
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphan_temporaries() -> int:
    """Remove what dead processes left half-written (called at start-up)."""
    folder = files_dir() / IN_PROGRESS
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        owner = path.name.split("-", 1)[0]
        if owner.isdigit() and _alive(int(owner)):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed += 1
    return removed


def remove_unreferenced_files() -> int:
    """Remove stored files that no version points to (a server killed between the file and its row)."""
    from ctgxl.web.collecte.models import Version

    folder = files_dir()
    if not folder.is_dir():
        return 0
    referenced = set(Version.objects.values_list("sha256", flat=True))
    removed = 0
    for path in folder.glob("??/*"):
        if _SHA256.fullmatch(path.name) and path.name not in referenced:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@contextmanager
def readable_copies(versions):
    """Yield {version id: path} of links to the stored files under a private folder, each with the
    extension of the name the person gave (so that the reader says what it says of their file)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-lecture-", dir=_in_progress_dir()))
    try:
        paths = {}
        for number, version in enumerate(versions):
            suffix = Path(version.nom_fichier).suffix.lower()
            link = folder / f"{number}{suffix if _SAFE_SUFFIX.fullmatch(suffix) else ''}"
            try:
                os.link(path_of(version.sha256), link)
            except OSError:
                shutil.copyfile(path_of(version.sha256), link)
            paths[version.id] = link
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_version(contributeur, received: Received, display_name: str, summary: dict):
    """The version's row and its audit line, in one transaction. Returns (version, created):
    the same content sent again by the same contributor is the same version."""
    from ctgxl.web.collecte.models import Evenement, Version

    with transaction.atomic():
        version, created = Version.objects.get_or_create(
            contributeur=contributeur, sha256=received.sha256,
            defaults={"nom_fichier": display_name[:255], "taille": received.size, **summary})
        Evenement.objects.create(action=Evenement.DEPOT, campagne_id=contributeur.campagne_id,
                                 contributeur=contributeur, sha256=received.sha256)
    return version, created


def delete_campaign(campagne) -> int:
    """Delete a campaign, its rows and the files no other campaign holds. Returns files removed."""
    from ctgxl.web.collecte.models import Version

    hashes = set(Version.objects.filter(contributeur__campagne=campagne).values_list("sha256", flat=True))
    with transaction.atomic():
        campagne.delete()
    still_used = set(Version.objects.filter(sha256__in=hashes).values_list("sha256", flat=True))
    removed = 0
    for sha256 in hashes - still_used:
        path_of(sha256).unlink(missing_ok=True)
        removed += 1
    return removed


def purge_expired(today) -> int:
    """Delete the campaigns whose retention date has passed. Returns how many."""
    from ctgxl.web.collecte.models import Campagne

    expired = list(Campagne.objects.filter(conserver_jusqu_au__lt=today))
    for campagne in expired:
        delete_campaign(campagne)
    return len(expired)


def start_up() -> None:
    """At server start: no half-written file, no file without its version, no campaign kept past
    its retention date."""
    from django.utils import timezone

    remove_orphan_temporaries()
    remove_unreferenced_files()
    purge_expired(timezone.localdate())
