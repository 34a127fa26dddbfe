"""Why an import is refused; nothing has been written when one is raised."""


class Refused(Exception):
    """The import cannot go ahead (a non-empty database, another schema revision, ...)."""


class CorruptArchive(Refused):
    """The file is not an archive this version can read, or it was damaged."""
