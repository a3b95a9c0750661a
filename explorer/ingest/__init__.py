"""Ingest: an archive (local directory or GitHub) parsed into meetups, talks and arXiv references."""

from explorer.ingest.archive import ArchiveUnavailable, LocalArchive, open_archive
from explorer.ingest.parser import parse_archive

__all__ = ["ArchiveUnavailable", "LocalArchive", "open_archive", "parse_archive"]
