"""What the HTML edition is made from: the edition TEI, the witness files and the reports,
loaded once and indexed so every page can link to any source line, flag or passage.

The one index everything hangs on: each block of the edited text (p, head, quote, note)
carries its witness (@corresp) and the source line it starts on (@n), so a line of a
witness maps to the block holding it by a binary search (`Site.locate`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import InputError
from ..tei import TEI, XML_ID, parse_xml
from .html import as_int, block_anchor, correction_state, local, printed_reading, sigla, words
from .witness import first_line, furniture_label, is_furniture

BLOCK_TAGS = (f"{TEI}p", f"{TEI}head", f"{TEI}quote", f"{TEI}note")


@dataclass
class Witness:
    siglum: str
    slug: str
    title: str = ""
    author: str = ""
    date: str = ""
    source: str = ""
    tei_file: str = ""
    body: etree._Element | None = None
    front: etree._Element | None = None   # sourceDesc/listBibl[@type='front-matter']


@dataclass
class Work:
    siglum: str            # the base witness (div/@corresp)
    slug: str
    title: str
    div: etree._Element
    collated: list[str] = field(default_factory=list)  # other witnesses read in its apparatus
    apps: int = 0
    choices: int = 0       # every correction (choice) in the apparatus
    proposals: int = 0     # of which the machine's, awaiting review: the text keeps the sic
    words: int = 0

    @property
    def printed(self) -> int:
        """Corrections printed in the text (accepted or made by an editor)."""
        return self.choices - self.proposals


@dataclass
class Site:
    title: str
    witnesses: dict[str, Witness]
    works: list[Work]
    flags: list[dict]
    duplicates: list[dict]
    anomalies: list[dict]
    blocks: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    app_work: dict[str, str] = field(default_factory=dict)      # app xml:id -> work siglum
    choice_flag: dict[str, tuple[str, str]] = field(default_factory=dict)  # flag id -> (work, id)

    def work_of(self, siglum: str) -> Work | None:
        return next((w for w in self.works if w.siglum == siglum), None)

    def locate(self, siglum: str, line: int) -> tuple[str, str] | None:
        """(work siglum, block anchor) of the edited-text block holding a witness's line."""
        rows = self.blocks.get(siglum)
        if not rows or line <= 0:
            return None
        i = bisect_right(rows, (line, "\uffff", "\uffff")) - 1
        return (rows[i][1], rows[i][2]) if i >= 0 else None

    def flag_target(self, flag: dict) -> tuple[str, str] | None:
        """Where a flag sits in a reading view: its app, its correction, or its block."""
        variant = flag.get("variant") or ""
        if variant in self.app_work:
            return self.app_work[variant], variant
        if flag.get("id") in self.choice_flag:
            return self.choice_flag[flag["id"]]
        return self.locate(flag["witness"], flag["line"])


def slugify(siglum: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m.group()):x}", siglum)
    return slug or "_"


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number} is not JSON: {exc.msg}", path=path) from exc
        if isinstance(row, dict):
            rows.append(row)
    return rows


def load_site(tei_dir: Path, report_dir: Path) -> Site:
    path = tei_dir / "edition.xml"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the edition: {exc.strerror}", path=path) from exc
    root = parse_xml(data, path).getroot()
    title = " ".join(words(root.find(f".//{TEI}titleStmt/{TEI}title"))) or "Edition"
    witnesses = {w.siglum: w for w in _witnesses(root, tei_dir)}
    flags = [_flag(row, n) for n, row in enumerate(read_jsonl(report_dir / "flags.jsonl"), 1)]
    duplicates = [_duplicate(row, n)
                  for n, row in enumerate(read_jsonl(report_dir / "duplicates.jsonl"), 1)]
    anomalies = [{**row, "witness": str(row.get("witness") or ""), "line": as_int(row.get("line"))}
                 for row in read_jsonl(report_dir / "structure.jsonl")]
    site = Site(title=title, witnesses=witnesses, works=[],
                flags=sorted(flags, key=lambda f: (f["witness"], f["line"], f["id"])),
                duplicates=sorted(duplicates, key=lambda d: (d["kind"], d["a"]["witness"],
                                                             d["a"]["start_line"], d["id"])),
                anomalies=anomalies)
    body = root.find(f"{TEI}text/{TEI}body")
    for div in body if body is not None else ():
        if local(div) == "div":
            site.works.append(_work(site, div))
    for rows in site.blocks.values():
        rows.sort()
    _match_choices(site)
    return site


def _flag(row: dict, number: int) -> dict:
    """A flag with the fields the pages use, typed (the report is read, not trusted)."""
    text = {key: str(row.get(key) or "") for key in ("witness", "variant", "reading",
                                                      "suggestion", "evidence", "type", "source")}
    return {**row, **text, "id": str(row.get("id") or f"flag-{number}"),
            "line": as_int(row.get("line")), "cause": str(row.get("cause") or "unknown"),
            "status": str(row.get("status") or "open"),
            "confidence": _number(row.get("confidence"))}


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def _duplicate(row: dict, number: int) -> dict:
    def side(value: object) -> dict:
        value = value if isinstance(value, dict) else {}
        return {**value, "witness": str(value.get("witness") or ""),
                "start_line": as_int(value.get("start_line")),
                "end_line": as_int(value.get("end_line")) or as_int(value.get("start_line"))}

    return {**row, "id": str(row.get("id") or f"match-{number}"),
            "kind": str(row.get("kind") or "other"), "a": side(row.get("a")),
            "b": side(row.get("b")), "similarity": _number(row.get("similarity"))}


def _witnesses(root: etree._Element, tei_dir: Path) -> list[Witness]:
    out = []
    for wit in root.iter(f"{TEI}witness"):
        siglum = wit.get(XML_ID) or wit.get("n") or ""
        if not siglum:
            continue
        bibl = wit.find(f"{TEI}bibl")

        def text(xpath: str, bibl: etree._Element | None = bibl) -> str:
            el = bibl.find(xpath) if bibl is not None else None
            return " ".join(words(el))

        ptr = bibl.find(f"{TEI}ptr[@type='witness-file']") if bibl is not None else None
        target = (ptr.get("target") or "") if ptr is not None else ""
        witness = Witness(siglum, slugify(siglum), text(f"{TEI}title"), text(f"{TEI}author"),
                          text(f"{TEI}date"), text(f"{TEI}idno[@type='file']"), target)
        file = tei_dir / Path(target).name if target else None
        if file is not None and file.is_file():
            tree = parse_xml(file.read_bytes(), file).getroot()
            witness.body = tree.find(f"{TEI}text/{TEI}body")
            witness.front = tree.find(f".//{TEI}sourceDesc/{TEI}listBibl[@type='front-matter']")
        out.append(witness)
    return out


def _work(site: Site, div: etree._Element) -> Work:
    siglum = (sigla(div.get("corresp")) or [div.get(XML_ID) or f"w{len(site.works) + 1}"])[0]
    head = div.find(f"{TEI}head")
    title = " ".join(words(head)) or site.witnesses.get(siglum, Witness(siglum, "")).title
    work = Work(siglum, slugify(siglum), title or siglum, div)
    collated: set[str] = set()
    for app in div.iter(f"{TEI}app"):
        site.app_work[app.get(XML_ID) or ""] = siglum
        work.apps += 1
        for reading in app:
            collated.update(sigla(reading.get("wit")))
    work.choices = sum(1 for _ in div.iter(f"{TEI}choice"))
    work.proposals = sum(1 for c in div.iter(f"{TEI}corr") if correction_state(c) == "proposed")
    work.collated = sorted(collated - {siglum})
    for el in div.iter(*BLOCK_TAGS):
        anchor = block_anchor(el)
        if anchor and el.getparent() is not None and local(el.getparent()) == "div":
            wit = sigla(el.get("corresp"))[0]
            site.blocks.setdefault(wit, []).append((as_int(el.get("n")), siglum, anchor))
    work.words = sum(len(t.split()) for t in _reading_text(div))
    return work


def _reading_text(div: etree._Element) -> list[str]:
    """The edited text as printed: lemmata, the side of each choice `printed_reading`
    picks (a proposal awaiting review prints the witness's reading), no evidence notes or
    other readings."""
    out = []

    def left_out(el: etree._Element) -> bool:
        name = local(el)
        if name == "rdg" or (name == "note" and el.get("type") == "evidence"):
            return True
        parent = el.getparent()
        return (name in ("sic", "corr") and parent is not None
                and printed_reading(parent) is not el)

    for el in div.iter():
        if not isinstance(el.tag, str):
            continue
        inside = left_out(el) or any(left_out(a) for a in el.iterancestors())
        if not inside and el.text:
            out.append(el.text)
        if el.tail and not any(left_out(a) for a in el.iterancestors()):
            out.append(el.tail)
    return out


def _match_choices(site: Site) -> None:
    """Tie each choice/sic/corr to the flag that made it: same block, same reading."""
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for flag in site.flags:
        if flag.get("variant"):
            continue
        where = site.locate(flag["witness"], flag["line"])
        if where:
            by_key[(where[1], " ".join(str(flag.get("reading", "")).split()))].append(flag)
    for work in site.works:
        for choice in work.div.iter(f"{TEI}choice"):
            block = next((a for a in choice.iterancestors(*BLOCK_TAGS)), None)
            anchor = block_anchor(block) if block is not None else None
            sic = " ".join(words(choice.find(f"{TEI}sic")))
            candidates = by_key.get((anchor or "", sic))
            if candidates:
                flag = candidates.pop(0)
                site.choice_flag[flag["id"]] = (work.siglum, f"c-{flag['id']}")


def choice_flags(site: Site) -> dict[tuple[str, str], dict]:
    """(block anchor, sic) -> flag, for the choices `_match_choices` tied to a flag."""
    by_id = {f.get("id"): f for f in site.flags}
    out = {}
    for flag_id in site.choice_flag:
        flag = by_id[flag_id]
        where = site.locate(flag["witness"], flag["line"])
        if where:
            out[(where[1], " ".join(str(flag.get("reading", "")).split()))] = flag
    return out


def furniture(witness: Witness) -> list[tuple[int, str, str]]:
    """(line, label, text) of every piece of furniture and boilerplate in a witness file."""
    out: list[tuple[int, str, str]] = []
    if witness.body is None:
        return out
    last = 0
    for el in witness.body.iter():
        name = local(el)
        if name == "lb" and (el.get("n") or "").isdigit():
            last = as_int(el.get("n"))
        if not name or not is_furniture(el) or any(is_furniture(a) for a in el.iterancestors()):
            continue
        text = " ".join(words(el)) if name != "pb" else str(el.get("source") or "")
        out.append((first_line(el) or last, furniture_label(el), text))
    return out


def coverage(site: Site, work: Work) -> dict[str, list[tuple[int, int]]]:
    """For each collated witness, the ranges of base-witness lines its parallels cover."""
    out: dict[str, list[tuple[int, int]]] = {w: [] for w in work.collated}
    for dup in site.duplicates:
        if dup.get("kind") != "parallel":
            continue
        a, b = dup.get("a") or {}, dup.get("b") or {}
        for this, other in ((a, b), (b, a)):
            if this.get("witness") == work.siglum and other.get("witness") in out:
                out[other["witness"]].append((this["start_line"], this["end_line"]))
    return out
