"""Checking: pandera schemas and the rules across columns, rows and files."""
