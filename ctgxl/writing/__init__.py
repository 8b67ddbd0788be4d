"""Writing: templates, the consolidated workbook, split and format, annotated copies."""
