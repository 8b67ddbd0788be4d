"""What ctgxl recorded inside a workbook it wrote (which command, which template): read
to recognise a workbook, and to know whether an output may be replaced."""

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
