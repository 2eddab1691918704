"""Where a fact comes from: an upstream file at a release, or a documentation page, and when it was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Source:
    """One place a fact was read.

    ``where``: ``owner/repo:path`` for a repository file or a URL for a page; ``release``: the tag,
    version or commit read (None for a page that has none); ``read_on``: the day it was read.
    """

    where: str
    read_on: date
    release: str | None = None

    def __str__(self) -> str:
        at = f" at {self.release}" if self.release else ""
        return f"{self.where}{at} (read {self.read_on.isoformat()})"
