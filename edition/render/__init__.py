"""Stage 6, render: the edition for readers, as a static HTML site and a print PDF.

Takes a build's output (`output/tei/*.xml` and `output/report/`), loaded once as a `Site`
(`load_site`); gives file names and bytes: `site_files` the self-contained HTML site,
`pdf_files` the print edition and its offprints (WeasyPrint, imported only when used).
`html` (escaped strings, TEI values) and `apparatus` are shared by both; the site's pages
are `site` with `reading` (the edited text), `witness` (the witness view), `synopsis` and
`links`; `print_html` (with `print_front`) is the print HTML that `pdf` lays out and numbers.
"""

from __future__ import annotations

from .data import Site, load_site
from .pdf import pdf_files
from .site import render_site, site_files

__all__ = ["Site", "load_site", "pdf_files", "render_site", "site_files"]
