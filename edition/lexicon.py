"""What counts as a word: a shipped English word list plus the corpus's own vocabulary.

The word list comes inside the `pyspellchecker` package (no download at run time). A
source's own recurring words (names, terms, spellings it uses consistently) are added
per witness, so "Stakhanovist" is not a non-word in a text that uses it twenty times.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

_WORD = re.compile(r"[^\W\d_]+(?:[’'\-][^\W\d_]+)*")


@cache
def _frequencies(language: str = "en") -> dict[str, int]:
    from spellchecker import SpellChecker

    try:
        checker = SpellChecker(language=language, distance=1)
    except ValueError:  # a language the package does not ship: fall back to English
        checker = SpellChecker(language="en", distance=1)
    return dict(checker.word_frequency.dictionary)


_BRITISH = ((r"isation", "ization"), (r"ise(s|d)?$", r"ize\1"), (r"ising$", "izing"),
            (r"yse(s|d)?$", r"yze\1"), (r"our(s|ed|ing|ite|able)?$", r"or\1"),
            (r"tre(s|d)?$", r"ter\1"), (r"([^aeiou])re(s|d)?$", r"\1er\2"),
            (r"iality$", "ialty"), (r"ence$", "ense"), (r"ogue$", "og"),
            (r"lling$", "ling"), (r"lled$", "led"), (r"ae", "e"), (r"^rouble", "ruble"))
_SUFFIXES = ("s", "es", "ies", "ed", "d", "ing", "er", "ers", "ings", "ness", "ly")


def _related_forms(word: str) -> set[str]:
    """British spellings in American form, and stems of regular inflections, so that
    'centre', 'organisation', 'mitigations' and 'reasonings' count as words."""
    forms = set()
    for pattern, repl in _BRITISH:
        changed = re.sub(pattern, repl, word)
        if changed != word:
            forms.add(changed)
    for base in (word, *forms):
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                stem = base[: -len(suffix)]
                forms |= {stem, stem + "e", stem + "y" if suffix in ("ies",) else stem}
    return forms


_SHAPES = [set(p) for p in ("ae", "ao", "ce", "eo", "il", "lt", "nu", "mn", "hb", "co", "uv",
                             "ft", "rn", "cl", "ij")]


def _shape_confusion(word: str, candidate: str) -> bool:
    """The candidate differs from the word by one letter of a similar shape."""
    if len(word) != len(candidate):
        return False
    diff = [(a, b) for a, b in zip(word, candidate, strict=True) if a != b]
    return len(diff) == 1 and {diff[0][0], diff[0][1]} in _SHAPES


# the Latin-script word lists pyspellchecker ships besides English, most used first
OTHER_LANGUAGES = ("fr", "de", "es", "it", "nl", "pt")


def other_language(words: Sequence[str]) -> str | None:
    """The first shipped language other than English in which at least half of `words`
    (three or more) are words (the lists lack many inflected forms: 'eût'); None if none.
    Word lists load on first use, so a source without such a run never pays for them."""
    folded = [w.lower().replace("’", "'").strip(".,;:!?\"“”‘'()[]«»*_-—–") for w in words]
    folded = [w for w in folded if w]
    if len(folded) < 3:
        return None
    for language in OTHER_LANGUAGES:
        known = _frequencies(language)
        hits = sum(1 for w in folded if _known_in(w, known))
        if 2 * hits >= len(folded):
            return language
    return None


def guess_language(words: Iterable[str], declared: str = "en") -> str:
    """The language of a text whose source did not say: English when most of its words are
    English words, else the shipped language that knows most of them (a French novel, a
    German article), else `declared`. Reads at most 3,000 words; other word lists load only
    when English does not fit."""
    sample: list[str] = []
    for word in words:
        if word.isalpha() and word.islower():
            sample.append(word)
            if len(sample) >= 3000:
                break
    if len(sample) < 50:
        return declared
    english = _frequencies("en")
    best, best_share = declared, sum(1 for w in sample if w in english) / len(sample)
    if best_share >= 0.6:
        return declared
    for language in OTHER_LANGUAGES:
        known = _frequencies(language)
        share = sum(1 for w in sample if w in known) / len(sample)
        if share > best_share + 0.1:
            best, best_share = language, share
    return best if best_share >= 0.6 else declared


def _known_in(word: str, known: dict[str, int]) -> bool:
    """A word of that language, also elided ('d'habitude', 'qu'il') or joined by hyphens
    ('dit-il', 'comprenez-vous')."""
    if word in known:
        return True
    head, _, tail = word.partition("'")
    if tail and len(head) <= 7:  # d', qu', jusqu', lorsqu'
        return _known_in(tail, known)
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(p in known or len(p) <= 2 for p in parts)


class Lexicon:
    """Decides whether a token is a word; knows the frequency of known words."""

    def __init__(self, language: str = "en", corpus_words: Iterable[str] = (),
                 min_corpus_count: int = 2) -> None:
        self.freq = _frequencies(language.split("-")[0].lower() or "en")
        self.counts = Counter(w.lower() for w in corpus_words)
        self.corpus = {w for w, c in self.counts.items() if c >= min_corpus_count}
        self._memo: dict[str, bool] = {}  # words repeat (Zipf): decide each once

    @classmethod
    def for_texts(cls, texts: Iterable[str], language: str = "en") -> Lexicon:
        return cls(language, (m.group() for t in texts for m in _WORD.finditer(t)))

    def is_word(self, token: str) -> bool:
        """True for dictionary words, corpus vocabulary, and parts of hyphenated words."""
        known = self._memo.get(token)
        if known is None:
            known = self._memo[token] = self._is_word(token)
        return known

    def _is_word(self, token: str) -> bool:
        core = token.strip(".,;:!?\"“”‘’()[]«»*").lower()
        if not core:
            return True
        if core in self.freq or core in self.corpus:
            return True
        for suffix in ("’s", "'s", "s’", "s'"):
            if core.endswith(suffix) and core[: -len(suffix)] in self.freq:
                return True
        parts = re.split(r"[-–—/]", core)
        if len(parts) > 1 and all(not p or p in self.freq or p in self.corpus for p in parts):
            return True
        return any(form in self.freq or form in self.corpus for form in _related_forms(core))

    def uses(self, token: str, times: int) -> bool:
        """The source itself uses the word at least `times` times: its own vocabulary."""
        return self.counts.get(token.lower(), 0) >= times

    def frequency(self, token: str) -> int:
        return self.freq.get(token.lower(), 0)

    def suggest(self, word: str) -> str:
        """The most frequent known word one edit away (delete, swap, replace, insert), or ""."""
        word = word.lower()
        letters = "abcdefghijklmnopqrstuvwxyz"
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
        edits |= {a + c + b for a, b in splits for c in letters}
        known = [w for w in edits if w in self.freq or w in self.corpus]
        if not known:
            return ""
        # letters OCR confuses by shape come first (sequal -> sequel, not sexual)
        return max(known, key=lambda w: (_shape_confusion(word, w), self.freq.get(w, 0), w))
