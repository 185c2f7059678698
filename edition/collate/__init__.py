"""Stages 4-5, collate and classify: every parallel passage aligned word by word, each
difference classified and judged, every flag of the build gathered.

Takes the witnesses and the matches of detect; gives `Collated`: the reading tokens, one
`Collation` per parallel with its classified `Variant`s, and every `Flag` (cause, type,
confidence, evidence, suggestion). `collatex` speaks CollateX's JSON and collates whole files
for `edition collate`.
"""

from __future__ import annotations

from .alignment import Collation, Segment, align, collate
from .flags import Collated, collate_and_classify, collate_rules

__all__ = ["Collated", "Collation", "Segment", "align", "collate", "collate_and_classify",
           "collate_rules"]
