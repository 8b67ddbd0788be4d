"""ctgxl: the workbooks of the Convention Territoriale Globale (CTG)."""

__version__ = "0.1.0"
