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
