"""Bounds on what one input may cost, so that a damaged or hostile file cannot exhaust
the machine. Each can be changed through an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = _env("CTGXL_MAX_FICHIER_OCTETS", 100_000_000)
    max_inflated_bytes: int = _env("CTGXL_MAX_DECOMPRESSE_OCTETS", 500_000_000)
    max_ratio: int = _env("CTGXL_MAX_RATIO_COMPRESSION", 100)
    max_rows: int = _env("CTGXL_MAX_LIGNES", 200_000)
    max_columns: int = _env("CTGXL_MAX_COLONNES", 500)
