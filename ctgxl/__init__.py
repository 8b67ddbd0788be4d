"""ctgxl: the workbooks of the Convention Territoriale Globale (CTG).

    import ctgxl
    report = ctgxl.check(["fichiers_recus/"])
    ctgxl.merge(["fichiers_recus/"], "ctg-consolidee.xlsx")
    ctgxl.bilan(["ctg-consolidee.xlsx"], "bilan.xlsx", depuis="ctg-2024.xlsx")
    changes = ctgxl.diff("ctg-2024.xlsx", "ctg-consolidee.xlsx")

The functions live in ``ctgxl.api`` and are imported on first use, so that importing ctgxl
(and starting the command line) stays fast.
"""

__version__ = "0.1.0"

_API = ("check", "merge", "merge_read", "split", "reformat", "write_template", "annotate", "bilan", "diff",
        "write_changes", "Consolidation", "Annotation", "BilanResult")
__all__ = [*_API, "errors", "__version__"]


def __getattr__(name: str):
    if name in _API:
        from ctgxl import api

        return getattr(api, name)
    if name == "errors":
        import importlib

        return importlib.import_module("ctgxl.errors")
    raise AttributeError(f"module 'ctgxl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
