"""Links between the pages of the static site (`Hrefs`), relative to the page being
written; the site's pages and the synopsis both build their links here.
"""

from __future__ import annotations

from .apparatus import Links
from .data import Site


class Hrefs:
    """Links between pages, relative to the page being written (`root` is '' or '../')."""

    def __init__(self, site: Site, root: str) -> None:
        self.site, self.root = site, root

    def witness(self, siglum: str, line: int | None = None) -> str | None:
        wit = self.site.witnesses.get(siglum)
        if wit is None:
            return None
        return f"{self.root}witnesses/{wit.slug}.html" + (f"#L{line}" if line else "")

    def work(self, siglum: str, fragment: str = "") -> str:
        work = self.site.work_of(siglum)
        slug = work.slug if work else siglum
        return f"{self.root}works/{slug}.html" + (f"#{fragment}" if fragment else "")

    def flag(self, flag_id: str) -> str:
        return f"{self.root}flags.html#{flag_id}"

    def synopsis(self, ident: str = "") -> str:
        return f"{self.root}synopsis.html" + (f"#{ident}" if ident else "")

    def block(self, siglum: str, line: int) -> str | None:
        where = self.site.locate(siglum, line)
        return self.work(*where) if where else None

    def links(self, app_work: str | None = None) -> Links:
        site = self.site
        return Links(source=lambda s, n: self.witness(s, n) if n else None,
                     source_file=lambda s: site.witnesses[s].source if s in site.witnesses else s,
                     flag=self.flag,
                     app_href=(lambda i: self.work(app_work, i)) if app_work else lambda i: f"#{i}")
