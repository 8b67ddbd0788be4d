"""Bounds on what one input may cost, so that a damaged or hostile file cannot exhaust
the machine. Each can be changed through an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def _from_env(name: str, default: int):
    """A field read from the environment when the Limits are made (not when ctgxl is imported),
    so that a variable set by a calling program or a test is seen."""
    return field(default_factory=lambda: _env(name, default))


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = _from_env("CTGXL_MAX_FICHIER_OCTETS", 100_000_000)
    max_inflated_bytes: int = _from_env("CTGXL_MAX_DECOMPRESSE_OCTETS", 500_000_000)
    max_ratio: int = _from_env("CTGXL_MAX_RATIO_COMPRESSION", 100)
    max_rows: int = _from_env("CTGXL_MAX_LIGNES", 200_000)
    max_columns: int = _from_env("CTGXL_MAX_COLONNES", 500)
    # rows × columns of one sheet: the grid is built whole, so this bounds its memory
    max_cells: int = _from_env("CTGXL_MAX_CELLULES", 20_000_000)
    # Each file is read in a worker process capped to this address space and CPU time.
    max_reader_megabytes: int = _from_env("CTGXL_MAX_MEMOIRE_LECTURE_MO", 2048)
    max_reader_seconds: int = _from_env("CTGXL_MAX_SECONDES_LECTURE", 120)
