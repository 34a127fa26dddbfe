"""Backups that move between databases: ``flask data export`` and ``flask data import``.

An archive is a zip of one JSON-lines file per table and a manifest (format version,
schema revision, row counts). Derived data is not stored but rebuilt on import.
"""
