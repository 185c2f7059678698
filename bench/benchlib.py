"""The helper library of the benchmarks: what several `bench/` scripts share, in one module.

Scripts import it as `benchlib` (a script's own folder is first on `sys.path`); the quality
tests (`tests/collate/test_quality.py`) load it by path, as `bench/` is not a package.

- **Measuring**: `REPO`, `growth_exponent` (least-squares slope of log time on log size: 1.0
  is linear), `rss_mb` / `status_mb`, `start_peak` / `peaks` (a timed call's own peak memory),
  `text_table` (a plain-text table, the first row its header), `default_build` (the default corpus
  built by the installed `edition`, for the render benchmarks), `edition_command`, and
  `norm_word` / `norm_words` (words as compared between two extractions of one text).
- **Corruption simulator and flag scorer** (`simulate`, `score`, the gold lists), for
  `bench/quality` and its tests; described below.

**Simulator.** The clean text is witness D's chapter (`sources/003_...txt`, lines 1-149: title,
heading, contents, the body paragraphs and the footnote; the site navigation after it is left
out). D has one paragraph per line; both the clean and the damaged copy are **hard-wrapped at
100 columns** (greedy, words never broken), paragraphs separated by one blank line, short lines
(title, headings, contents, the note) kept as they are. That is the layout of witness C (a
browser print through PDF-to-text), so line numbers are as fine-grained as in the real chapter
and the ±2-line matching rule means the same thing on both data sets.

Into a copy, with a fixed seed, `simulate` injects known errors at known places and records, for
each, its cause and the 1-based line of the damaged file where it is (`Injection`):

- ``lacuna``: a run of 100-300 words deleted, starting mid-sentence and possibly crossing
  paragraph ends (the text resumes mid-sentence, as after C's lost page); the recorded line is
  the last line before the gap (the gold list's convention).
- ``dittography``: a block of 20-60 words copied from up to 300 words earlier (a third of the
  seeds: from immediately before, a doubled block) and spliced in mid-sentence; the recorded line
  is where the copy starts.
- ``boilerplate``: a browser-print header/footer pair inside a paragraph, mid-sentence, with
  blank lines around as in C (``Revolution Betrayed: Chapter 6`` /
  ``http://example.org/trotsky/ch06.htm (3 of 9) [01/02/2003 10:11:13]``); the recorded line is
  the header's. The URL names the chapter, as C's do: with a URL such as ``x.htm`` ingest also
  reports a header-footer mismatch (a `structure` flag) at every pair.
- ``junk``: PDF operator debris like C's (``.1429 6.1429 Tto rA7``, ``to rA``, ``o r``), one
  of five ways, as in C: inserted between two words (spaces around), or in place of a short
  word (of, the, to...), standing alone, glued to the word before (``sourceo r``), to the word
  after (``rAestimating``) or to both (``over.1429boundary``).
- ``ocr``: one letter confusion in a word: m->rn, l->1, o->0, s->5, e->c, or another digit for
  a letter (s->9, s->8, b->6, a->4).
- ``word-split`` (``w ho``) and ``word-join`` (``ofthe``).

Injections are kept at least `SPACING` words apart (and away from the lacuna and both copies of
the duplicated block), so that with ±2 lines no flag can be credited to two injections.

**Scorer.** `score` matches flags to gold entries: a flag matches an entry when it is in the
entry's corrupt witness and its line is within ±`WINDOW` lines of the entry's line. Detection:
any cause; classification: the same cause. Recall is per gold cause (entries with at least one
matching flag), precision per flag cause (flags matching at least one entry); several flags may
match one entry (C's header and footer lines are two flags for one boilerplate entry).
"""

from __future__ import annotations

import json
import math
import random
import re
import resource
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------- measuring


def growth_exponent(points: Iterable[tuple[float, float]]) -> float:
    """Least-squares slope of log(seconds) on log(size) over (size, seconds) points: 1.0 is
    linear growth, 2.0 quadratic; NaN with fewer than two points."""
    pairs = [(math.log(n), math.log(s)) for n, s in points]
    if len(pairs) < 2:
        return math.nan
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    return (sum((x - mx) * (y - my) for x, y in pairs)
            / sum((x - mx) ** 2 for x, _ in pairs))


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM...), in MiB."""
    with open("/proc/self/status") as f:
        return next(int(x.split()[1]) for x in f if x.startswith(field + ":")) / 1024


def rss_mb() -> float:
    return status_mb("VmRSS")


def start_peak() -> float:
    """Reset the process's peak RSS (Linux clear_refs 5), so the peak after the timed call
    is the call's own; return the RSS it starts from."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # then +MB is measured against the lifetime peak (an upper bound)
    return status_mb("VmRSS")


def peaks(pre: float) -> tuple[float, float]:
    """(peak RSS of the whole process, RSS the timed call added at its peak), MiB."""
    whole = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return whole, status_mb("VmHWM") - pre


def text_table(rows: Sequence[Sequence[Any]], left: Iterable[int] = (0,), rule: bool = True) -> str:
    """Rows as a plain-text table, the first row its header (underlined when `rule`):
    columns in `left` aligned left, the others right."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    keep_left = set(left)
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i in keep_left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True)))
                     .rstrip())
        if n == 0 and rule:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def default_build(folder: Path, who: str) -> Path:
    """`edition build --no-validate` of the default corpus into folder/build (the installed
    command, as a user runs it); exits with a message naming `who` if nothing was built."""
    out = folder / "build"
    edition = Path(sys.executable).parent / "edition"
    command = [str(edition)] if edition.exists() else [sys.executable, "-m", "edition.cli"]
    subprocess.run([*command, "-q", "build", str(REPO / "sources"), "-o", str(out),
                    "--no-validate"], check=False, cwd=folder)
    if not (out / "tei" / "edition.xml").exists():
        sys.exit(f"{who}: the build wrote no tei/edition.xml")
    return out


# --- words of a text, compared across extractions (bench/realworld) ----------------------------

_WORD_SPLIT = re.compile(r"[\s\u2012-\u2015\u2e3a\u2e3b]+|-{2,}")  # spaces, dashes, "--"
_NOT_WORD = re.compile(r"[\W_]+")


def edition_command() -> list[str]:
    """The installed `edition` next to this interpreter (as a user runs it), else the module."""
    edition = Path(sys.executable).parent / "edition"
    return [str(edition)] if edition.exists() else [sys.executable, "-m", "edition.cli"]


def norm_word(token: str) -> str:
    """A token as compared between extractions: NFKC (ligatures), casefold, diacritics
    dropped (a reference that decoded "Māori" as "Mäori" still matches), soft hyphens and
    every character that is not a letter or digit removed ("don't" -> "dont", "10,000" ->
    "10000", "square-foot" -> "squarefoot"); "" for pure punctuation."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", token).casefold())
    return _NOT_WORD.sub("", "".join(c for c in folded if not unicodedata.combining(c)))


def norm_words(text: str) -> list[str]:
    """The normalised words of a text: split at whitespace, dashes and "--", then
    `norm_word`; empty ones dropped."""
    return [w for w in map(norm_word, _WORD_SPLIT.split(text)) if w]


# ------------------------------------------------------------------- corruption simulator

CLEAN_SOURCE = REPO / "sources" / "003_a62227af89236541.txt"
CLEAN_LINES = (1, 149)  # title ... footnote; D 151-155 is site navigation
GOLD_PATH = REPO / "tests" / "fixtures" / "quality" / "chapter6_differences.jsonl"
CORRUPTIONS = ("ocr", "junk", "boilerplate", "lacuna", "dittography", "word-split",
               "word-join", "structure")
WINDOW = 2
WIDTH = 100
SEED = 20261122
SPACING = 100  # words between two injections (six lines or more at 100 columns)
BODY_WORDS = 40  # a line of D with at least this many words is a body paragraph

# how many of each the simulator injects into one chapter (about 8,400 words)
COUNTS = {"lacuna": 1, "dittography": 1, "boilerplate": 2, "junk": 4, "ocr": 10,
          "word-split": 3, "word-join": 3}

_OCR = (("m", "rn"), ("l", "1"), ("o", "0"), ("s", "5"), ("e", "c"),
        ("s", "9"), ("s", "8"), ("b", "6"), ("a", "4"))
_JUNK_PIECES = (".1429", "6.1429", "1429", "29", "Tto", "rA7", "rA", "to rA", "o r", "Tto rA")
_JUNK_STYLES = ("insert", "replace", "glue-before", "glue-after", "glue-both")
_SHORT = {"of", "the", "to", "a", "in", "and", "is", "on", "at", "by", "for", "as"}
_ENDS_CLAUSE = re.compile(r"[.!?:;,)\]”\"’']$")


# --- the simulator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Injection:
    """One injected error: its cause, where it is in the damaged file, and what it did."""

    id: str  # s01, s02, ... in the order of the text
    cause: str
    line: int  # 1-based line of the damaged file
    original: str  # the clean text it replaces ("" for an insertion)
    damaged: str  # the text now in the damaged file ("" for a deletion)
    words: int  # words lost (lacuna), copied (dittography), or in the longer reading
    note: str = ""


@dataclass
class Simulated:
    clean: str  # the clean text, wrapped
    damaged: str
    injections: list[Injection]
    seed: int
    width: int


@dataclass
class _Item:
    kind: str  # word | par (block boundary) | raw (a short line kept as is) | fw (furniture)
    text: str = ""
    marks: list[str] = field(default_factory=list)


def clean_lines(path: Path = CLEAN_SOURCE) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    first, last = CLEAN_LINES
    return lines[first - 1:last]


def _items(lines: Sequence[str]) -> list[_Item]:
    """Blocks (runs of non-blank lines) as a flat item stream; body paragraphs as words."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    items: list[_Item] = []
    for block in blocks:
        if items:
            items.append(_Item("par"))
        if len(block) == 1 and len(block[0].split()) >= BODY_WORDS:
            items += [_Item("word", w) for w in block[0].split()]
        else:
            items += [_Item("raw", line) for line in block]
    return items


def _render(items: Sequence[_Item], width: int | None) -> tuple[str, dict[str, int]]:
    """The text of an item stream, and the line of each mark (its first occurrence)."""
    out: list[str] = []
    where: dict[str, int] = {}
    words: list[_Item] = []

    def note(item: _Item, line: int) -> None:
        for m in item.marks:
            where.setdefault(m, line)

    def flush() -> None:
        line: list[str] = []
        size = 0
        for w in words:
            if width and line and size + 1 + len(w.text) > width:
                out.append(" ".join(x.text for x in line))
                line, size = [], 0
            line.append(w)
            size += len(w.text) + (1 if size else 0)
            note(w, len(out) + 1)
        if line:
            out.append(" ".join(x.text for x in line))
        words.clear()

    for item in items:
        if item.kind == "word":
            words.append(item)
        elif item.kind == "par":
            flush()
            out.append("")
        elif item.kind == "raw":
            flush()
            note(item, len(out) + 1)
            out.append(item.text)
        elif item.kind == "fw":  # header, URL footer, blank lines around (as in C)
            flush()
            header, footer = item.text.split("\n")
            out.append("")
            note(item, len(out) + 1)
            out += [header, "", footer, "", "", ""]
    flush()
    return "\n".join(out) + "\n", where


def _word_no(items: Sequence[_Item]) -> list[int]:
    """For each item, the number of word items before it."""
    numbers, n = [], 0
    for item in items:
        numbers.append(n)
        n += item.kind == "word"
    return numbers


def _mid_sentence(items: Sequence[_Item], i: int) -> bool:
    """Item i is a word preceded by a word of the same paragraph that does not end a clause."""
    return (0 < i < len(items) and items[i].kind == "word" and items[i - 1].kind == "word"
            and not _ENDS_CLAUSE.search(items[i - 1].text))


def _core(word: str) -> str:
    return re.sub(r"^[\W_]+|[\W_]+$", "", word)


class _Simulator:
    def __init__(self, lines: Sequence[str], seed: int, counts: dict[str, int]) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.items = _items(lines)
        self.clean_items = [_Item(i.kind, i.text) for i in self.items]
        self.counts = counts
        self.info: dict[str, dict[str, Any]] = {}
        self.busy: list[tuple[int, int]] = []  # word-number ranges taken, in the final stream
        self.n = 0

    def mark(self, item: _Item, cause: str, original: str, damaged: str, words: int,
             note: str = "") -> None:
        self.n += 1
        key = f"m{self.n:03d}"
        item.marks.append(key)
        self.info[key] = {"cause": cause, "original": original, "damaged": damaged,
                          "words": words, "note": note}

    def body_words(self) -> list[int]:
        return [i for i, it in enumerate(self.items) if it.kind == "word"]

    # lacuna and dittography change the stream's length: done first, one at a time
    def lacuna(self) -> None:
        for _ in range(1000):
            size = self.rng.randint(100, 300)
            s = self.rng.choice(self.body_words())
            if not _mid_sentence(self.items, s):
                continue
            stretch, e = 0, s
            while e < len(self.items) and stretch < size:
                if self.items[e].kind not in ("word", "par"):
                    break
                stretch += self.items[e].kind == "word"
                e += 1
            if stretch < size or e >= len(self.items) or self.items[e].kind != "word":
                continue
            lost = " ".join(it.text for it in self.items[s:e] if it.kind == "word")
            self.mark(self.items[s - 1], "lacuna", lost, "", size,
                      f"{size} words lost after '{self.items[s - 1].text}'")
            del self.items[s:e]
            return
        raise RuntimeError("no place for a lacuna")

    def dittography(self) -> None:
        in_place = self.seed % 3 == 0
        for _ in range(1000):
            size = self.rng.randint(20, 60)
            a = self.rng.choice(self.body_words())
            block = self.items[a:a + size]
            if len(block) < size or any(it.kind != "word" or it.marks for it in block):
                continue
            gap = 0 if in_place else self.rng.randint(10, 300)
            t = a + size + gap
            if t >= len(self.items) or not _mid_sentence(self.items, t):
                continue
            between = self.items[a + size:t]
            if any(it.kind not in ("word", "par") or it.marks for it in between):
                continue
            numbers = _word_no(self.items)
            taken = [numbers[k] for k, it in enumerate(self.items) if it.marks]
            if any(numbers[a] - SPACING < w < numbers[t] + SPACING for w in taken):
                continue  # away from the lacuna
            copy = [_Item("word", it.text) for it in block]
            text = " ".join(it.text for it in block)
            self.mark(copy[0], "dittography", "", text, size,
                      f"{size} words repeated from {gap} words earlier"
                      if gap else f"{size} words doubled in place")
            self.items[t:t] = copy
            return
        raise RuntimeError("no place for a duplicated block")

    def protect(self) -> None:
        numbers = _word_no(self.items)
        for i, it in enumerate(self.items):
            for m in it.marks:
                w = numbers[i]
                info = self.info[m]
                if info["cause"] == "dittography":  # the copy and its source
                    text = info["damaged"].split()
                    size = len(text)
                    self.busy.append((w - SPACING, w + size + SPACING))
                    for j in range(len(self.items)):
                        if self.items[j].kind == "word" and j + size <= len(self.items) and \
                                [x.text for x in self.items[j:j + size]] == text and j != i:
                            self.busy.append((numbers[j] - SPACING, numbers[j] + size + SPACING))
                else:
                    self.busy.append((w - SPACING, w + SPACING))

    def free(self, w: int, span: int = 1) -> bool:
        return all(w + span <= lo or w >= hi for lo, hi in self.busy)

    def spaced(self) -> None:
        """Choose places for the injections that do not change other places, then apply
        them from the end backwards so that item indices stay valid."""
        plan: list[tuple[int, str, str]] = []
        numbers = _word_no(self.items)
        causes = [c for c in ("boilerplate", "junk", "ocr", "word-split", "word-join")
                  for _ in range(self.counts.get(c, 0))]
        self.rng.shuffle(causes)
        for cause in causes:
            style = self.rng.choice(_JUNK_STYLES) if cause == "junk" else ""
            for _ in range(5000):
                i = self.rng.choice(self.body_words())
                if not self.free(numbers[i]) or not self.fits(cause, i, style):
                    continue
                plan.append((i, cause, style))
                self.busy.append((numbers[i] - SPACING, numbers[i] + SPACING))
                break
            else:
                raise RuntimeError(f"no place for {cause}")
        pages = 9
        for i, cause, style in sorted(plan, reverse=True):
            if cause == "boilerplate":
                page = max(1, min(pages - 1, round(pages * numbers[i] / numbers[-1])))
                self.do_boilerplate(i, page, pages)
            elif cause == "junk":
                self.do_junk(i, style)
            else:
                getattr(self, "do_" + cause.replace("-", "_"))(i)

    def fits(self, cause: str, i: int, style: str = "") -> bool:
        items, word = self.items, self.items[i].text
        core = _core(word)
        if cause == "boilerplate":
            return _mid_sentence(items, i)
        if cause == "junk":
            if not (_mid_sentence(items, i) and i + 1 < len(items)
                    and items[i + 1].kind == "word"):
                return False
            return style == "insert" or (word.lower() in _SHORT
                                         and items[i + 1].text[:1].isalpha())
        if cause == "ocr":
            return (core.isalpha() and core.islower() and len(core) >= 4
                    and any(a in core for a, _ in _OCR))
        if cause == "word-split":
            return core.isalpha() and len(core) >= 3 and core == word.strip("\"“”,.;:")
        if cause == "word-join":
            nxt = items[i + 1] if i + 1 < len(items) else None
            return (core == word and core.isalpha() and nxt is not None and nxt.kind == "word"
                    and _core(nxt.text).isalpha() and nxt.text[:1].isalpha())
        raise ValueError(cause)

    def do_boilerplate(self, i: int, page: int, pages: int) -> None:
        header = "Revolution Betrayed: Chapter 6"
        footer = (f"http://example.org/trotsky/ch06.htm ({page} of {pages}) "
                  f"[01/02/2003 10:11:{10 + page:02d}]")
        fw = _Item("fw", f"{header}\n{footer}")
        self.mark(fw, "boilerplate", "", f"{header} {footer}", 9,
                  f"page header and footer between '{self.items[i - 1].text}' and "
                  f"'{self.items[i].text}'")
        self.items.insert(i, fw)

    def do_junk(self, i: int, style: str) -> None:
        """Debris as in C: between words (spaces around), or in place of a short word,
        standing alone or glued to the word before ('sourceo r'), after ('rAestimating')
        or both ('over.1429boundary')."""
        rng = self.rng
        junk = " ".join(rng.sample(_JUNK_PIECES, rng.randint(1, 3)))
        items = self.items
        prev, here, nxt = items[i - 1], items[i], items[i + 1]
        if style == "insert":
            item = _Item("word", junk)
            self.mark(item, "junk", "", junk, len(junk.split()),
                      f"debris inserted before '{here.text}'")
            items.insert(i, item)
        elif style == "replace":
            original = here.text
            here.text = junk
            self.mark(here, "junk", original, junk, len(junk.split()),
                      f"debris in place of '{original}'")
        elif style == "glue-before":  # 'sourceo r income'
            original = f"{prev.text} {here.text}"
            prev.text += junk
            self.mark(prev, "junk", original, prev.text, 2,
                      f"debris in place of '{here.text}', glued to the word before")
            del items[i]
        elif style == "glue-after":  # 'possibility rAestimating'
            original = f"{here.text} {nxt.text}"
            nxt.text = junk + nxt.text
            self.mark(nxt, "junk", original, nxt.text, 2,
                      f"debris in place of '{here.text}', glued to the word after")
            del items[i]
        else:  # glue-both: 'over.1429boundary'
            original = f"{prev.text} {here.text} {nxt.text}"
            prev.text = f"{prev.text}{junk}{nxt.text}"
            self.mark(prev, "junk", original, prev.text, 3,
                      f"debris in place of '{here.text}', glued to both neighbours")
            del items[i:i + 2]

    def do_ocr(self, i: int) -> None:
        word = self.items[i].text
        core = _core(word)
        start = word.index(core)
        choices = [(a, b) for a, b in _OCR if a in core]
        a, b = self.rng.choice(choices)
        spots = [k for k in range(len(core)) if core.startswith(a, k)]
        k = self.rng.choice(spots)
        damaged_core = core[:k] + b + core[k + len(a):]
        damaged = word[:start] + damaged_core + word[start + len(core):]
        self.items[i].text = damaged
        self.mark(self.items[i], "ocr", word, damaged, 1, f"{a} read as {b}")

    def do_word_split(self, i: int) -> None:
        word = self.items[i].text
        core = _core(word)
        start = word.index(core)
        k = start + self.rng.randint(1, len(core) - 1)
        damaged = f"{word[:k]} {word[k:]}"
        self.items[i].text = damaged  # one item: the two halves stay on one line
        self.mark(self.items[i], "word-split", word, damaged, 2, "a space inside the word")

    def do_word_join(self, i: int) -> None:
        first, second = self.items[i], self.items[i + 1]
        original = f"{first.text} {second.text}"
        first.text += second.text
        self.mark(first, "word-join", original, first.text, 2, "the space between lost")
        del self.items[i + 1]

    def run(self) -> tuple[list[_Item], dict[str, dict[str, Any]]]:
        if self.counts.get("lacuna"):
            for _ in range(self.counts["lacuna"]):
                self.lacuna()
        for _ in range(self.counts.get("dittography", 0)):
            self.dittography()
        self.protect()
        self.spaced()
        return self.items, self.info


def simulate(seed: int = SEED, *, width: int | None = WIDTH,
             counts: dict[str, int] | None = None,
             lines: Sequence[str] | None = None) -> Simulated:
    """A clean text and a damaged copy of it, with the list of what was injected where."""
    sim = _Simulator(lines if lines is not None else clean_lines(), seed, counts or COUNTS)
    items, info = sim.run()
    clean, _ = _render(sim.clean_items, width)
    damaged, where = _render(items, width)
    injections = sorted(
        (Injection("", i["cause"], where[k], i["original"], i["damaged"], i["words"], i["note"])
         for k, i in info.items()), key=lambda j: (j.line, j.cause))
    injections = [Injection(f"s{n:02d}", j.cause, j.line, j.original, j.damaged, j.words,
                            j.note) for n, j in enumerate(injections, 1)]
    return Simulated(clean, damaged, injections, seed, width or 0)


def write_pair(sim: Simulated, folder: Path) -> tuple[Path, Path]:
    """The two sources of a simulated build: clean.txt (siglum A), damaged.txt (B)."""
    folder.mkdir(parents=True, exist_ok=True)
    clean, damaged = folder / "clean.txt", folder / "damaged.txt"
    clean.write_text(sim.clean, encoding="utf-8")
    damaged.write_text(sim.damaged, encoding="utf-8")
    return clean, damaged


def check_injection(sim: Simulated, j: Injection) -> str:
    """Why the injection is not where it says it is ("" if it is)."""
    lines = sim.damaged.split("\n")
    if not 1 <= j.line <= len(lines):
        return f"line {j.line} out of range"
    here = lines[j.line - 1]
    flat = " ".join(sim.damaged.split())
    if j.cause == "boilerplate":
        header, footer = here, lines[j.line + 1] if j.line + 1 < len(lines) else ""
        ok = (f"{header} {footer}" == j.damaged and not lines[j.line - 2].strip()
              and not lines[j.line].strip())
        return "" if ok else f"header/footer not at {j.line}: {header!r} / {footer!r}"
    if j.cause == "lacuna":
        lost = " ".join(j.original.split()[:12])
        if lost in flat:
            return "the lost words are still in the damaged file"
        if lost not in " ".join(sim.clean.split()):
            return "the lost words are not in the clean file"
        return "" if here.strip() else "the line before the gap is blank"
    if j.cause == "dittography":
        clean_flat = " ".join(sim.clean.split())
        if flat.count(j.damaged) != clean_flat.count(j.damaged) + 1:
            return "the block does not occur once more in the damaged file"
        first = j.damaged.split()[0]
        return "" if first in here.split() else "the copy does not start on its line"
    return "" if j.damaged in here else f"{j.damaged!r} not on line {j.line}: {here!r}"


# --- gold ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gold:
    id: str
    cause: str
    witness: str  # the corrupt witness ("" for typography and substantive)
    line: int
    reading: str
    words: int = 1
    note: str = ""


def chapter_gold(path: Path = GOLD_PATH) -> list[Gold]:
    """The hand-checked differences of chapter 6 (C against D), all 226 of them."""
    out = []
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        corrupt = row["corrupt"] or ""
        line = row["d_line"] if corrupt == "D" else row["c_line"]
        reading = row["c_reading"] if corrupt != "D" else row["d_reading"]
        out.append(Gold(row["id"], row["cause"], corrupt, line, reading, row["words"],
                        row["note"]))
    return out


def injection_gold(sim: Simulated, siglum: str, prefix: str = "") -> list[Gold]:
    """The injections as gold entries of the damaged witness `siglum` (ids prefixed)."""
    return [Gold(prefix + j.id, j.cause, siglum, j.line, j.damaged or j.original, j.words,
                 j.note) for j in sim.injections]


# --- scoring ------------------------------------------------------------------------------------


def near(flag: Any, gold: Gold, window: int = WINDOW) -> bool:
    return flag.siglum == gold.witness and abs(flag.line - gold.line) <= window


@dataclass
class Row:
    cause: str
    gold: int = 0
    found: int = 0  # gold entries with a matching flag
    flagged: int = 0
    true: int = 0  # flags matching a gold entry

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.true / self.flagged if self.flagged else None


@dataclass
class Score:
    level: str  # detection | classification
    rows: dict[str, Row]
    missed: list[Gold]  # gold corruptions no flag matches
    false: list[Any]  # flags that match no gold corruption

    @property
    def total(self) -> Row:
        t = Row("total")
        for r in self.rows.values():
            t.gold += r.gold
            t.found += r.found
            t.flagged += r.flagged
            t.true += r.true
        return t


def score(gold: Iterable[Gold], flags: Iterable[Any], *, same_cause: bool,
          window: int = WINDOW) -> Score:
    """Match flags (anything with siglum, line, cause) to the gold corruptions."""
    entries = [g for g in gold if g.cause in CORRUPTIONS and g.witness]
    flags = list(flags)
    rows = {c: Row(c) for c in CORRUPTIONS}

    def ok(f: Any, g: Gold) -> bool:
        return near(f, g, window) and (not same_cause or str(f.cause) == g.cause)

    missed = []
    for g in entries:
        rows[g.cause].gold += 1
        if any(ok(f, g) for f in flags):
            rows[g.cause].found += 1
        else:
            missed.append(g)
    false = []
    for f in flags:
        row = rows.setdefault(str(f.cause), Row(str(f.cause)))
        row.flagged += 1
        if any(ok(f, g) for g in entries):
            row.true += 1
        else:
            false.append(f)
    return Score("classification" if same_cause else "detection", rows, missed, false)


@dataclass(frozen=True)
class Flagged:
    """A flag reduced to what scoring and reports need (its witness may carry a seed)."""

    siglum: str
    line: int
    cause: str
    confidence: float
    reading: str
    suggestion: str
    evidence: str

    @classmethod
    def of(cls, flag: Any, siglum: str | None = None) -> Flagged:
        return cls(siglum or flag.siglum, flag.line, str(flag.cause), flag.confidence,
                   flag.reading, flag.suggestion, flag.evidence)


def chapter_flags(flags: Iterable[Any], witnesses: dict[str, tuple[int, int]]) -> list[Any]:
    """The flags of the given witnesses whose line falls in the given range."""
    return [f for f in flags
            if f.siglum in witnesses and witnesses[f.siglum][0] <= f.line <= witnesses[f.siglum][1]]


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.2f}"


def table(s: Score, targets: dict[str, float] | None = None) -> str:
    """An aligned plain-text table, one row per cause with gold entries or flags."""
    head = ("cause", "gold", "found", "recall", "flagged", "true", "precision")
    rows = [r for r in s.rows.values() if r.gold or r.flagged]
    body = [(r.cause, str(r.gold), str(r.found), _fmt(r.recall), str(r.flagged), str(r.true),
             _fmt(r.precision)) for r in rows]
    t = s.total
    total = ("total", str(t.gold), str(t.found), _fmt(t.recall), str(t.flagged), str(t.true),
             _fmt(t.precision))
    widths = [max(len(x[k]) for x in [head, *body, total]) for k in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if k == 0 else c.rjust(w)
                         for k, (c, w) in enumerate(zip(cells, widths, strict=True)))

    out = [line(head), line(["-" * w for w in widths]), *map(line, body), line(total)]
    if targets:
        parts = []
        for name, value in (("recall", t.recall), ("precision", t.precision)):
            goal = targets.get(name)
            if goal is not None:
                met = value is not None and value >= goal
                parts.append(f"{name} >= {goal:.2f}: {'met' if met else 'NOT met'}")
        out[-1] += "   target " + ", ".join(parts)
    return "\n".join(out)
