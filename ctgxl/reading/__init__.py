"""Reading: which files, safe cell grids, recognised sheets, values as typed, typed tables."""
