"""Themes, assignments, analysis runs and lineage."""
