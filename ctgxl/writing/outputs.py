"""What ctgxl recorded inside a workbook it wrote (which command, which template)."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from ctgxl.names import PROPERTY_COMMAND, PROPERTY_KIND, PROPERTY_VERSION


def recorded_properties(path: Path) -> dict[str, str]:
    """ctgxl's custom document properties of an .xlsx file, or {} for anything else."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return {}  # a tube or a device would block, or never end
        with zipfile.ZipFile(path) as archive:
            if "docProps/custom.xml" not in archive.namelist():
                return {}
            info = archive.getinfo("docProps/custom.xml")
            if info.file_size > 1_000_000:
                return {}
            with archive.open(info) as stream:  # bounded: a part may inflate past what it declares
                data = stream.read(1_000_001)
            root = ElementTree.fromstring(data)
    except Exception:
        return {}
    found = {}
    for prop in root:
        name = prop.get("name")
        if name in (PROPERTY_KIND, PROPERTY_VERSION, PROPERTY_COMMAND) and len(prop):
            found[name] = (prop[0].text or "").strip()
    return found


def written_by(path: Path) -> str | None:
    """The ctgxl command that wrote this file, if it was one."""
    return recorded_properties(path).get(PROPERTY_COMMAND)


def replaced_input(output: Path, inputs: list[Path]) -> Path | None:
    """The input that writing ``output`` would replace: the same file by device and inode,
    so also through a symbolic or hard link, or a name in another case where the filesystem
    ignores case. None when ``output`` does not exist yet (it cannot be an input)."""
    try:
        target = os.stat(output)
    except OSError:
        return None
    for path in inputs:
        try:
            status = os.stat(path)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) == (target.st_dev, target.st_ino):
            return Path(path)
    return None


def refuse_input_as_output(output: Path, inputs: list[Path]) -> None:
    """Raise OutputIsInput when ``output`` is one of ``inputs`` (folders expanded), even with
    --force: inputs are never modified."""
    from ctgxl.errors import OutputIsInput
    from ctgxl.reading.files import workbook_files

    named = [Path(path) for path in inputs]
    files, _ = workbook_files(named)
    found = replaced_input(Path(output), named + files)
    if found is not None and found not in named and written_by(found) == "merge":
        found = None  # a consolidated workbook in a folder of inputs is not read as one (check.read_all)
    if found is not None:
        same = "" if os.path.abspath(found) == os.path.abspath(output) else f" (« {found} » sous un autre nom)"
        raise OutputIsInput(Path(output), f"« {output} » est un des fichiers d'entrée{same} : ctgxl ne modifie "
                            "jamais ses entrées, même avec --force. Choisissez un autre nom de sortie.")
