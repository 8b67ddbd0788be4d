"""The one rule for writing over an existing file, for every command and the library."""

from __future__ import annotations

import os
from pathlib import Path

from ctgxl.reading.properties import written_by


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


def input_replaced(output: Path, inputs: list[Path]) -> Path | None:
    """The input file (``inputs`` with their folders expanded) that writing ``output`` would
    replace, or None."""
    from ctgxl.reading.files import workbook_files

    named = [Path(path) for path in inputs]
    files, _ = workbook_files(named)
    found = replaced_input(Path(output), named + files)
    if found is not None and found not in named and written_by(found) == "merge":
        return None  # a consolidated workbook in a folder of inputs is not read as one (check.read_all)
    return found


def refuse_input_as_output(output: Path, inputs: list[Path]) -> None:
    """Raise OutputIsInput when ``output`` is one of ``inputs`` (folders expanded), even with
    --force: inputs are never modified."""
    from ctgxl.errors import OutputIsInput

    found = input_replaced(output, inputs)
    if found is not None:
        same = "" if os.path.abspath(found) == os.path.abspath(output) else f" (« {found} » sous un autre nom)"
        raise OutputIsInput(Path(output), f"« {output} » est un des fichiers d'entrée{same} : ctgxl ne modifie "
                            "jamais ses entrées, même avec --force. Choisissez un autre nom de sortie.")
