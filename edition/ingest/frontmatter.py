"""Front matter of a plain-text source: what moves into the teiHeader.

Lines before the first prose paragraph or heading that say who wrote what, where and
when (a personal name, a title, "From ... Vol.", "Transcribed by", a periodical line, a
byline) become `MetaField`s with their raw line kept; title and author are derived from
running titles, banners and bylines where the front matter was lost.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from ..model import BlockKind, Cleanup, MetaField
from .contents import CONTENTS_LINE
from .lines import LineKind
from .structure import (
    CHAPTER_LINE,
    NUMBERED_SECTION,
    author_from_byline,
    ends_sentence,
    is_name_line,
    is_short_unpunctuated,
    is_title_like,
    metadata_from_line,
    words,
)

_NUMERAL = re.compile(r"(?:[IVXLC]{1,7}|\d{1,3})\.?")  # a section number standing alone


class FrontMatter:
    """Mixin of the layout pass (`text._Layout`): uses its infos, blocks, metadata, used,
    cleanups."""

    def _front_matter(self) -> None:
        """Metadata lines before the first prose paragraph or heading move to the header."""
        title_seen = author_seen = False
        for idx, info in enumerate(self.infos):
            if info.kind is not LineKind.TEXT:
                continue
            s = info.stripped
            if (CHAPTER_LINE.match(s) or words(s) > 16 or NUMBERED_SECTION.match(s)
                    or CONTENTS_LINE.match(s) or s.startswith("[") or _NUMERAL.fullmatch(s)):
                break  # a heading (even a bare numeral), a contents list, an [Illustration]
            fields = metadata_from_line(info.text, info.number)
            if not fields and not author_seen and is_name_line(s):
                fields, author_seen = (MetaField("author", s, info.number, info.text),), True
            elif not fields and not title_seen and (is_title_like(s, 16) or (
                    is_short_unpunctuated(s, 14) and self._stands_alone(idx)
                    and self._prose_follows(idx))):
                fields, title_seen = (MetaField("title", s, info.number, info.text),), True
            elif (not fields and title_seen and words(s) <= 12 and not ends_sentence(s)
                  and self._stands_alone(idx)):
                fields = (MetaField("subtitle", s, info.number, info.text),)
            if not fields:
                break
            self.metadata.extend(fields)
            self.used.add(idx)
            self.cleanups.append(Cleanup(
                "front-matter", "moved", info.number,
                "moved into the teiHeader as " + ", ".join(f.name for f in fields),
                before=info.text))

    def _stands_alone(self, idx: int) -> bool:
        """The line is not the start of a wrapped paragraph: a blank, furniture or a
        byline comes next, not more text of the same group."""
        nxt = idx + 1
        if nxt >= len(self.infos) or self.infos[nxt].kind is not LineKind.TEXT:
            return True
        following = self.infos[nxt].stripped
        return bool(metadata_from_line(following, 0)) or is_name_line(following)

    def _prose_follows(self, idx: int) -> bool:
        """A prose paragraph (not a heading) comes within the next few lines."""
        group = 0
        for info in self.infos[idx + 1:idx + 10]:
            if info.kind is LineKind.TEXT:
                group += words(info.text)
                if group > 16:
                    return True
            else:
                group = 0
        return False

    def _derived_metadata(self) -> None:
        """Title and author inferred from the text where no front matter gave them.

        Derived fields have no `raw`: their lines stay where they are in the text.
        """
        names = {f.name for f in self.metadata}
        for block in self.blocks[:8]:
            if "author" in names or block.kind is not BlockKind.P:
                continue
            if (found := author_from_byline(block.text, block.first_line)) is not None:
                self.metadata.append(found)
                names.add("author")
        titles = Counter(re.split(r"\s*[:|–—-]\s*(?:chapter|part|section)\b", i.stripped,
                                  flags=re.I)[0]
                         for i in self.infos if i.kind is LineKind.RUNNING_TITLE)
        banner = [b for b in self.blocks if b.kind is BlockKind.BOILERPLATE and b.role == "banner"]
        if "title" not in names and titles:
            title, count = titles.most_common(1)[0]
            line = next(i.number for i in self.infos if i.kind is LineKind.RUNNING_TITLE
                        and i.stripped.startswith(title))
            if count >= 2 and title:
                self.metadata.append(MetaField("title", title, line, ""))
                names.add("title")
        for first, second in itertools.pairwise(banner):
            m = re.fullmatch(r"(.+?)[’']s", first.text)
            if m and is_name_line(m.group(1)) and "author" not in names:
                self.metadata.append(MetaField("author", m.group(1), first.first_line, ""))
                names.add("author")
                if "title" not in names:
                    self.metadata.append(MetaField("title", second.text, second.first_line, ""))
                    names.add("title")

