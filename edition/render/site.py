"""The HTML edition: a static site from the edition TEI and the reports.

`render_site` is pure: it reads output/tei/ and output/report/ and returns every file of
the site (relative path -> bytes); the pipeline writes them. Pages: the home page, a
reading view per work, a view per witness, the synopsis and the corruptions list. Output
is deterministic (no timestamps, sorted everywhere) so two builds diff cleanly.

Works from file:// and any static server: relative links only, no network, no fonts, a
small vanilla script (templates/site.js) that only adds to pages that read without it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..resources import style_asset, template_dir
from ..tei import TEI, XML_ID
from .apparatus import Annotations
from .data import (
    Site,
    Work,
    choice_flags,
    coverage,
    furniture,
    load_site,
)
from .html import esc, tag, visible_controls
from .links import Hrefs
from .reading import TextRenderer
from .synopsis import synopsis_sections
from .witness import WitnessRenderer

CAUSES = ("ocr", "junk", "boilerplate", "lacuna", "dittography", "word-split", "word-join",
          "structure", "typography", "substantive")
CAUSE_NOTES = {
    "ocr": "misread characters", "junk": "extraction garbage",
    "boilerplate": "non-authorial text in the reading text", "lacuna": "text lost in a witness",
    "dittography": "text written twice", "word-split": "a word split by a space",
    "word-join": "words run together", "structure": "lost, misplaced or wrong heading",
    "typography": "quotes, dashes, abbreviations (regularised)",
    "substantive": "a real difference of wording",
}


def render_site(tei_dir: Path, report_dir: Path) -> dict[str, bytes]:
    """Relative output path (e.g. 'index.html', 'works/C.html', 'assets/site.css') -> bytes."""
    return site_files(load_site(Path(tei_dir), Path(report_dir)))


def site_files(site: Site) -> dict[str, bytes]:
    """The site of an edition already loaded (the PDF renders from the same `Site`)."""
    env = _environment()
    pages: dict[str, str] = {"index.html": _home(site, env), "flags.html": _flags(site, env),
                             "synopsis.html": _synopsis(site, env)}
    for work in site.works:
        pages[f"works/{work.slug}.html"] = _work(site, env, work)
    for witness in site.witnesses.values():
        pages[f"witnesses/{witness.slug}.html"] = _witness(site, env, witness.siglum)
    files = {path: visible_controls(html).encode("utf-8") for path, html in sorted(pages.items())}
    files["assets/site.css"] = style_asset("site.css").read_bytes()
    files["assets/site.js"] = (template_dir() / "site.js").read_bytes()
    return files


def _environment() -> jinja2.Environment:
    folder = template_dir()

    def load(name: str) -> str | None:
        path = folder / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals.update(causes=CAUSES, cause_notes=CAUSE_NOTES)
    return env


def _page(env: jinja2.Environment, template: str, root: str, site: Site, **context) -> str:
    nav_works = [(w.siglum, w.title, f"{root}works/{w.slug}.html") for w in site.works]
    return env.get_template(template).render(root=root, site_title=site.title,
                                             nav_works=nav_works, **context)


# -- home -----------------------------------------------------------------------------------
def _home(site: Site, env: jinja2.Environment) -> str:
    h = Hrefs(site, "")
    flags_by_wit = Counter(f.get("witness") for f in site.flags)
    witnesses = []
    for wit in site.witnesses.values():
        in_work = next((w for w in site.works if wit.siglum in (w.siglum, *w.collated)), None)
        witnesses.append({"w": wit, "href": h.witness(wit.siglum),
                          "flags": flags_by_wit[wit.siglum],
                          "work": in_work, "work_href": h.work(in_work.siglum) if in_work else None,
                          "base": in_work is not None and in_work.siglum == wit.siglum})
    statuses = sorted({str(f.get("status") or "open") for f in site.flags} | {"open"})
    table = Counter((f.get("cause"), str(f.get("status") or "open")) for f in site.flags)
    causes = sorted({str(f.get("cause")) for f in site.flags},
                    key=lambda c: (CAUSES.index(c) if c in CAUSES else 99, c))
    found = defaultdict(list)
    synopsis_ids = {s["id"] for s in synopsis_sections(site, h, only_ids=True)}
    for dup in site.duplicates:
        found[dup.get("kind", "other")].append(_dup_row(dup, h, synopsis_ids))
    return _page(env, "index.html", "", site, current="home", works=site.works, witnesses=witnesses,
                 found=dict(found), statuses=statuses, causes=causes, table=table,
                 flag_total=len(site.flags))


def _dup_row(dup: dict, h: Hrefs, synopsis_ids: set[str]) -> dict:
    sides = []
    for key in ("a", "b"):
        side = dup.get(key) or {}
        wit, start, end = side.get("witness", ""), side.get("start_line"), side.get("end_line")
        lines = f"{start}" if start == end else f"{start}–{end}"
        sides.append({"label": f"{wit} {lines}", "words": side.get("words"),
                      "href": h.witness(wit, start), "read": h.block(wit, start)})
    ident = str(dup.get("id"))
    return {"id": ident, "subkind": dup.get("subkind") or "", "why": dup.get("why") or "",
            "similarity": f"{dup['similarity']:.2f}", "sides": sides,
            "synopsis": h.synopsis(ident) if ident in synopsis_ids else None}


# -- reading view ---------------------------------------------------------------------------
def _work(site: Site, env: jinja2.Environment, work: Work) -> str:
    h = Hrefs(site, "../")
    notes = _annotations(site, work, h)
    renderer = TextRenderer(h.links(), notes)
    text = "".join(notes.before.get("", ())) + renderer.work(work.div)
    toc = []
    for head in work.div.iter(f"{TEI}head"):
        if head.get("type") == "work" or head.get("n") is None:
            continue
        depth = sum(1 for a in head.iterancestors(f"{TEI}div"))
        anchor = f"{(head.get('corresp') or '#').lstrip('#')}-{head.get('n')}"
        toc.append((depth, " ".join("".join(head.itertext()).split()), anchor))
    causes = sorted({(r.get("cause") or "variant") for r in work.div.iter(f"{TEI}rdg")}
                    | {(c.get("type") or "ocr") for c in work.div.iter(f"{TEI}corr")})
    witnesses = [site.witnesses.get(s) for s in (work.siglum, *work.collated)]
    return _page(env, "work.html", "../", site, current=f"work-{work.siglum}", work=work,
                 text=Markup(text), toc=toc,
                 causes_here=causes, switch=[w for w in witnesses if w is not None],
                 witness_href=h.witness(work.siglum))


def _annotations(site: Site, work: Work, h: Hrefs) -> Annotations:
    """Margin notes (flags, anomalies, cross-references), furniture, witness coverage."""
    before: dict[str, list[str]] = defaultdict(list)
    after: dict[str, list[str]] = defaultdict(list)

    def here(siglum: str, line: int) -> str | None:
        where = site.locate(siglum, line)
        return where[1] if where and where[0] == work.siglum else None

    for flag in site.flags:
        target = site.flag_target(flag)
        if target is None or target[0] != work.siglum or target[1] != here(
                flag["witness"], flag["line"]):
            continue  # an app or a correction carries it, or it belongs to another work
        cause = str(flag.get("cause"))
        before[target[1]].append(tag(
            "aside", tag("a", esc(cause), href=h.flag(flag["id"]), class_="flag-cause")
            + f" {esc(flag.get('evidence'))} "
            + tag("a", f"{esc(flag.get('witness'))}&#8239;{esc(flag.get('line'))}",
                  href=h.witness(flag["witness"], flag["line"]),
                  class_="flag-line"),
            class_=f"margin flagnote c-{cause}", role="note"))
    seen = {(f.get("witness"), f.get("line"), f.get("evidence")) for f in site.flags}
    for anomaly in site.anomalies:
        key = (anomaly.get("witness"), anomaly.get("line"), anomaly.get("message"))
        anchor = here(str(key[0]), int(key[1] or 0))  # normalised in load_site
        if anchor and key not in seen:
            before[anchor].append(tag("aside", tag("span", esc(anomaly.get("cause")),
                                                   class_="flag-cause")
                                      + " " + esc(anomaly.get("message")),
                                      class_=f"margin flagnote c-{anomaly.get('cause')}",
                                      role="note"))
    for section in synopsis_sections(site, Hrefs(site, "../"), only_ids=True):
        for side, other in ((section["a"], section["b"]), (section["b"], section["a"])):
            anchor = here(side["witness"], side["start"])
            if anchor:
                label = f"{section['kind']} in {other['witness']} {other['lines']}"
                before[anchor].append(tag(
                    "aside", tag("a", esc(f"{side['verb']} {other['witness']}"
                                          f" {other['lines']}: compare"),
                                 href=h.synopsis(section["id"]), title=label),
                    class_="margin xref", role="note"))
    witness = site.witnesses.get(work.siglum)
    for line, label, text in (furniture(witness) if witness else []):
        anchor = here(work.siglum, line) or ""
        after[anchor].append(tag(
            "div", tag("a", f"{esc(label)}, {esc(work.siglum)}&#8239;{line}",
                       href=h.witness(work.siglum, line), class_="furn-label")
            + " " + esc(text), class_="furn", role="note"))
    return Annotations(flags_by_variant=_by_variant(site), choice_flags=choice_flags(site),
                       before=before, after=after, lacks=_lacks(site, work, before))


def _by_variant(site: Site) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for flag in site.flags:
        if flag.get("variant"):
            out[flag["variant"]].append(flag)
    return out


def _lacks(site: Site, work: Work, before: dict[str, list[str]]) -> dict[str, str]:
    """Blocks a collated witness does not have; a note opens each run of them."""
    ranges = coverage(site, work)
    rows = [r for r in site.blocks.get(work.siglum, []) if r[1] == work.siglum]
    lacks: dict[str, list[str]] = defaultdict(list)
    for wit, spans in sorted(ranges.items()):
        if not spans:
            continue
        run_start: int | None = None
        for i, (line, _, anchor) in enumerate(rows):
            end = rows[i + 1][0] - 1 if i + 1 < len(rows) else 10**9
            if any(line <= b and end >= a for a, b in spans):
                run_start = None
                continue
            lacks[anchor].append(wit)
            if run_start is None:
                run_start = line
                last = next((r[0] for r in rows[i:] if any(r[0] <= b and r[0] >= a
                                                           for a, b in spans)), None)
                upto = f" up to {work.siglum} line {last - 1}" if last else " to the end"
                before[anchor].insert(0, tag(
                    "p", esc(f"Witness {wit} does not have the text from here{upto} "
                             f"(hidden while reading as {wit})."),
                    class_="absent-note", data_wit=wit, hidden=True))
    return {anchor: " ".join(wits) for anchor, wits in lacks.items()}


# -- witness view ---------------------------------------------------------------------------
def _witness(site: Site, env: jinja2.Environment, siglum: str) -> str:
    h = Hrefs(site, "../")
    wit = site.witnesses[siglum]
    marks: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    own = [f for f in site.flags if f.get("witness") == siglum]
    for flag in own:
        marks[flag["line"]].append((flag["id"], str(flag.get("cause")),
                                                  h.flag(flag["id"])))
    renderer = WitnessRenderer(marks)
    body = renderer.children(wit.body, 2) if wit.body is not None else ""
    front = renderer.children(wit.front, 2) if wit.front is not None else ""
    toc = []
    if wit.body is not None:
        for head in wit.body.iter(f"{TEI}head"):
            depth = sum(1 for _ in head.iterancestors(f"{TEI}div"))
            if head.get(XML_ID):
                toc.append((depth, " ".join("".join(head.itertext()).split()), head.get(XML_ID)))
    furn = len(furniture(wit))
    work = next((w for w in site.works if siglum in (w.siglum, *w.collated)), None)
    lines = sum(1 for _ in wit.body.iter(f"{TEI}lb")) if wit.body is not None else 0
    return _page(env, "witness.html", "../", site, current=f"witness-{siglum}", wit=wit,
                 body=Markup(body),
                 front=Markup(front), toc=toc, furniture=furn, flags=len(own), lines=lines,
                 work=work, work_href=h.work(work.siglum) if work else None)


# -- synopsis and corruptions list ------------------------------------------------------------
def _synopsis(site: Site, env: jinja2.Environment) -> str:
    sections = synopsis_sections(site, Hrefs(site, ""))
    return _page(env, "synopsis.html", "", site, current="synopsis", sections=sections)


def _against(item: object) -> str:
    if isinstance(item, dict):
        return f"{item.get('witness', '?')}: {item.get('reading', '')}"
    return str(item)


def _flags(site: Site, env: jinja2.Environment) -> str:
    h = Hrefs(site, "")
    rows = []
    for flag in site.flags:
        target = site.flag_target(flag)
        wit, line = flag["witness"], flag["line"]
        rows.append({"f": flag, "conf": f"{flag['confidence']:.2f}",
                     "read": h.work(*target) if target else None,
                     "where": h.witness(wit, line), "line": line,
                     "status": str(flag.get("status") or "open"),
                     "against": "; ".join(_against(a) for a in flag.get("against") or [])})
    options = {key: sorted({str(r["f"].get(key) or "") for r in rows} - {""})
               for key in ("cause", "witness")}
    options["status"] = sorted({r["status"] for r in rows} | {"open"})
    return _page(env, "flags.html", "", site, current="flags", rows=rows, options=options)

