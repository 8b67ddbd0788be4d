"""Broken and hostile files (generated corpus and its tests)."""
