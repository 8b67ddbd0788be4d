"""The page « Contrôler des classeurs »: upload workbooks, read the report, download results."""
