"""Words for ranked keyword search: the same normalisation for documents and queries.

Text is stripped of HTML, lowercased, cut into words; stop words go; each word becomes its
French and English stems (Snowball) without accents, so "imprimantes bloquées" finds
"Imprimante bloquée" and "printers" finds "printer", whatever the accents typed. The
engines then only match plain tokens (SQLite FTS5, PostgreSQL tsvector 'simple').
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable

import snowballstemmer

_TAGS = re.compile(r"<[^>]+>")
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_LANGUAGES = ("french", "english")
#: words too common to rank anything (French and English), compared without accents
STOP_WORDS = frozenset("""
a au aux avec ce ces cet cette d dans de des du elle en et eux il ils je l la le les leur
lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui s sa se
ses son sur ta te tes toi ton tu un une vos votre vous y est sont ete etre avoir
an and are as at be by for from has have in is it its of on or that the this to was were
will with not no can
""".split())


@functools.lru_cache(maxsize=None)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def fold(text: str) -> str:
    """Lowercase without accents ("Bloquée" -> "bloquee")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str | None) -> list[str]:
    """The words of a text (HTML tags dropped), lowercased, stop words out."""
    if not text:
        return []
    plain = _TAGS.sub(" ", str(text))
    return [w for w in _WORDS.findall(plain.lower()) if len(w) > 1 and fold(w) not in
            STOP_WORDS]


@functools.lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """The accent-free French and English stems of a lowercased word, stemmed as typed and
    without its accents (stemmers read "bloquées" and "bloquees" differently)."""
    found: list[str] = []
    for form in dict.fromkeys((word, fold(word))):
        for language in _LANGUAGES:
            stem = fold(_stemmer(language).stemWord(form))
            if stem and stem not in found:
                found.append(stem)
    return tuple(found)


def document(text: str | None) -> str:
    """The tokens to index for a text, space-separated."""
    return " ".join(stem for word in words(text) for stem in stems(word))


def query_terms(query: str) -> list[tuple[str, ...]]:
    """A query as its words, each with its stems: ``[("imprim",), ("bloqu", "bloque")]``
    (duplicates out, order kept)."""
    seen: set[tuple[str, ...]] = set()
    terms = []
    for word in words(query):
        variants = stems(word)
        if variants and variants not in seen:
            seen.add(variants)
            terms.append(variants)
    return terms


def all_terms(terms: Iterable[tuple[str, ...]]) -> list[str]:
    return sorted({stem for variants in terms for stem in variants})
