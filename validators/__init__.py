"""The CTG workbook standard as data: one TOML file per sheet, plus the lists."""
