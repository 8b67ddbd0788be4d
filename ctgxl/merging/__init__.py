"""Merging: the services' tables into one consolidated territory."""
