"""The library's version: one source for the package, its metadata and every cache key."""

__version__ = "0.1.0"
