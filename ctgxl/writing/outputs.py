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


def may_replace(target, *, force: bool, command: str) -> bool:
    """The one rule for writing over an existing file: allowed with ``force`` or when the file
    is this command's own earlier output; otherwise ``OutputExists``. True when the file
    replaced is that earlier output (worth telling the user). A stream is never "existing"."""
    from ctgxl.errors import OutputExists

    if not isinstance(target, (str, os.PathLike)) or not Path(target).exists() or force:
        return False
    if written_by(Path(target)) == command:
        return True
    raise OutputExists(Path(target))
