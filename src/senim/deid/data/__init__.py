"""Data files of the deid area (regions of Kazakhstan for generalisation hierarchies)."""
