"""Collate every parallel passage, classify its variants, and gather every flag of a build.

Takes the witnesses and the duplicated passages detect found; gives the reading tokens, the
collations with their classified variants, and every flag (variants, single-witness checks,
page furniture, anomalies, split words, junk, repeats), each flag once, in a stable order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..lexicon import Lexicon
from ..model import Flag, Match, MatchKind, Variant, Witness
from ..tokens import DEFAULT_RULES, ReadingToken, check_rules, reading_tokens, regularisations
from .alignment import Collation, collate
from .single import (
    anomaly_flags,
    furniture_flags,
    junk_flags,
    repeat_flags,
    single_witness_flags,
    split_flags,
)
from .variants import classify_collation, copies_are_dittography, paragraph_flags, variant_flags


@dataclass
class Collated:
    """What the collate stage gives the edition: tokens, collations, variants and flags."""

    tokens: dict[str, list[ReadingToken]] = field(default_factory=dict)  # reading text
    regularisations: dict[str, dict[str, int]] = field(default_factory=dict)
    collations: list[tuple[Match, Collation, dict[str, int]]] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


def collate_rules(options: Mapping[str, Any], config_path: Any = None) -> frozenset[str]:
    """The normalisation rules of [collate] in edition.toml (checked), or the defaults."""
    unknown = sorted(set(options) - {"normalise"})
    if unknown:
        raise ConfigError(f"unknown [collate] option(s): {', '.join(unknown)}",
                          path=config_path, hint="known: normalise")
    return check_rules(options.get("normalise", DEFAULT_RULES))


def collate_and_classify(witness_list: Sequence[Witness], matches: Sequence[Match],
                         rules: frozenset[str], base_witness: str | None = None) -> Collated:
    """Collate every parallel passage, classify its variants, and gather every flag."""
    result = Collated()
    witnesses = {w.siglum: w for w in witness_list}
    if base_witness and base_witness not in witnesses:
        raise ConfigError(f"base_witness = {base_witness!r} names no witness of this build",
                          hint=f"the sigla are: {', '.join(sorted(witnesses))}")
    tokens = result.tokens = {s: reading_tokens(w, rules) for s, w in witnesses.items()}
    result.regularisations = {s: regularisations(tokens[s], rules) for s in witnesses}
    lexicons = _lexicons(witnesses, tokens)
    covered: dict[str, set[int]] = {s: set() for s in witnesses}
    flags: list[Flag] = []
    checked: dict[str, dict[int, Flag | None]] = {s: {} for s in witnesses}
    first_pass = {s: single_witness_flags(w, tokens[s], lexicons[s], set(), checked[s])
                  for s, w in witnesses.items()}
    rates = {s: 1000 * len(first_pass[s]) / max(len(tokens[s]), 1) for s in witnesses}
    for match in matches:
        if match.kind is not MatchKind.PARALLEL:
            continue
        a, b = match.a, match.b
        base = (base_witness if base_witness in (a.siglum, b.siglum)
                else max((a.siglum, b.siglum), key=lambda s: (len(tokens[s]), s)))
        spans = {a.siglum: a, b.siglum: b}
        order = [base] + [s for s in spans if s != base]
        sliced: dict[str, list[ReadingToken]] = {
            s: list(tokens[s][spans[s].start:spans[s].end]) for s in order}
        collation = collate(sliced, base)
        variants = classify_collation(collation, lexicons[base], match=match.id,
                                      error_rates=rates)
        offsets = {s: spans[s].start for s in order}
        variants = copies_are_dittography(variants, offsets, matches)
        result.collations.append((match, collation, offsets))
        result.variants += variants
        flags += variant_flags(variants, sliced)
        flags += paragraph_flags(collation, rates)
        for v in variants:
            for r in v.readings:
                covered[r.siglum].update(range(offsets[r.siglum] + r.start,
                                               offsets[r.siglum] + r.end))
        for s in order:
            flags += furniture_flags(witnesses[s], spans[s].start_line, spans[s].end_line)
    for s, w in witnesses.items():
        flags += single_witness_flags(w, tokens[s], lexicons[s], covered[s], checked[s])
        flags += anomaly_flags(w)
        flags += split_flags(w)
        flags += junk_flags(w)
    flags += repeat_flags(matches, witnesses)
    unique: dict[str, Flag] = {}
    for flag in flags:
        unique.setdefault(flag.id, flag)
    result.flags = sorted(unique.values(), key=lambda f: (f.siglum, f.line, f.id))
    return result


def _lexicons(witnesses: Mapping[str, Witness],
              tokens: Mapping[str, list[ReadingToken]]) -> dict[str, Lexicon]:
    """One lexicon per language of the witnesses (the word list of that language and the
    vocabulary of its witnesses), so a French witness is read with French words."""
    by_language: dict[str, list[str]] = {}
    for s, w in witnesses.items():
        by_language.setdefault(w.language, []).append(s)
    lexicons: dict[str, Lexicon] = {}
    for language, sigla in sorted(by_language.items()):
        lexicon = Lexicon.for_texts((t.t for s in sigla for t in tokens[s]), language=language)
        lexicons.update(dict.fromkeys(sigla, lexicon))
    return lexicons
