"""Stage 2, encode: TEI P5 documents from the model.

Takes a `Witness` and gives its TEI file (`encode_witness`: header, body with `lb` for every
source line, `standOff` with every cleanup step); takes the witnesses, matches and collations
and gives the edition (`plan_works` chooses the works and their apparatus, `encode_edition`
writes `listWit`, the works with `app`/`lem`/`rdg` and `choice`/`sic`/`corr`, and the links
between duplicated passages). Functions return lxml trees; `serialise` gives their bytes.
Modules: `witness` (body, standOff) with `header` (its teiHeader); `edition` with
`apparatus` (the works); `build`, the element helpers and structure rules they share.
"""

from __future__ import annotations

from .apparatus import Work, plan_works
from .edition import encode_edition, line_anchors
from .witness import encode_witness, serialise

__all__ = ["Work", "encode_edition", "encode_witness", "line_anchors", "plan_works",
           "serialise"]
