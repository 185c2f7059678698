"""The thresholds of detection ([detect] in edition.toml), one frozen object every step reads.

Its own module so the steps can take it without importing the entry points that run them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectOptions:
    """Thresholds ([detect] in edition.toml)."""

    shingle: int = 6  # words per seed
    window: int = 4  # winnowing window
    max_occurrences: int = 500  # a seed found more often is a stock phrase
    min_words: int = 12  # shortest passage reported
    min_quoted_words: int = 8  # shortest passage reported when inside quotation marks
    min_similarity: float = 0.6
    max_gap: int = 60  # words of difference bridged without calling it a hole
    max_hole: int = 2500  # longest hole bridged inside one passage (a lost page or two)
    hole_anchor: int = 20  # a hole is bridged only between matches at least this long
    parallel_words: int = 150  # cross-witness matches this long are parallels
    doubled_max: int = 12  # longest doubled phrase looked for word by word

    @classmethod
    def from_mapping(cls, values: dict) -> DetectOptions:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(values) - known
        if unknown:
            from ..errors import ConfigError

            raise ConfigError(f"unknown [detect] option(s): {', '.join(sorted(unknown))}",
                              hint=f"known: {', '.join(sorted(known))}")
        return cls(**values)
