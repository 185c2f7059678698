"""`Parsed`: what a reader (text, HTML, PDF, TEI) found in one source.

Its own module so the readers need not import the `ingest` package, which imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Anomaly, Block, Cleanup, MetaField


@dataclass(frozen=True)
class Parsed:
    """What a reader found in one source."""

    lines: tuple[str, ...]
    metadata: tuple[MetaField, ...]
    blocks: tuple[Block, ...]
    cleanups: tuple[Cleanup, ...]
    anomalies: tuple[Anomaly, ...]
    encoding: str
    language: str = "en"
