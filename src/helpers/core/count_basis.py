"""How a count was counted (延べ, 実, 累計), decided in one place for the parsers and the analyses.

A sheet states the basis in an indicator label (``延べ利用人数``, ``相談実件数``, ``累計登録者数``) or in a word
right before or after a number (``延べ451人``, ``5,028人（累計登録者数）``). Every parser and every analysis asks
:func:`find_count_basis`; the words it knows are the closed list :data:`BASIS_WORDS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from helpers.core.text import nfkc

COUNT_BASES: tuple[str, ...] = ("延べ", "実", "累計")
"""The bases a count can state: every contact (延べ), each person or case once (実), a running total (累計)."""


@dataclass(frozen=True)
class BasisWord:
    """A way a sheet writes a basis: ``label`` is searched inside a text, ``words`` stand next to a number."""

    basis: str
    label: str
    words: tuple[str, ...]


BASIS_WORDS: tuple[BasisWord, ...] = (
    # 山形市 progress sheet line 19: 5,028人（累計登録者数）
    BasisWord("累計", r"累計", ("累計",)),
    # 山形市 progress sheet line 279 prints 述べ利用人数 for 延べ; 白井市 line 53: 延べ相談件数
    BasisWord("延べ", r"延べ|延(?=[べ数件人支利回日世参])|述べ(?=[数件人利回])", ("延べ", "延")),
    # 白井市 line 53: 相談実件数; 山形市 progress sheet: 実人数, 実利用者, 実人員 (実施 is not 実)
    BasisWord("実", r"実(?:人数|件数|利用|数|人員|世帯)", ("実人数", "実")),
)
"""The closed vocabulary: each basis with its label pattern and the words written beside a number."""


@dataclass(frozen=True)
class BasisMatch:
    """The basis a text states and where the words stating it stand (``start``, ``end``: in the text as given
    for a word at its start or end, in its NFKC form for a label)."""

    basis: str = ""
    start: int = 0
    end: int = 0


@cache
def _label_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((word.basis, re.compile(word.label)) for word in BASIS_WORDS)


@cache
def _words_longest_first() -> tuple[tuple[str, str], ...]:
    pairs = [(text, word.basis) for word in BASIS_WORDS for text in word.words]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def find_count_basis(text: str, *, at: str = "label") -> BasisMatch:
    """The basis a text states, and where: the one decision every parser and analysis uses.

    ``at="label"`` searches a label or note and answers only when it names exactly one basis (a label naming two
    belongs to two values); ``at="start"`` and ``at="end"`` read a word opening or closing the text, as written
    right before a number (``延べ451人``; the sub-label ``利用者延べ`` before ``12人``).

    >>> find_count_basis("問い合わせ・相談実人数").basis, find_count_basis("実施回数").basis
    ('実', '')
    >>> find_count_basis("延べ451人", at="start")
    BasisMatch(basis='延べ', start=0, end=2)
    >>> find_count_basis("登録者累計", at="end")
    BasisMatch(basis='累計', start=3, end=5)
    """
    if at == "label":
        text = nfkc(text)
        found = [(basis, match) for basis, pattern in _label_patterns() if (match := pattern.search(text))]
        if len(found) != 1:
            return BasisMatch()
        basis, match = found[0]
        return BasisMatch(basis, match.start(), match.end())
    for word, basis in _words_longest_first():
        if at == "start" and text.startswith(word):
            return BasisMatch(basis, 0, len(word))
        if at == "end" and text.endswith(word):
            return BasisMatch(basis, len(text) - len(word), len(text))
    if at not in ("start", "end"):
        raise ValueError(f"unknown place {at!r}: label, start or end")
    return BasisMatch()


def count_basis(text: str) -> str:
    """The basis a label or note states ('' when it states none, or more than one).

    >>> count_basis("点字・声の広報等発行の延べ利用人数"), count_basis("累計登録者数"), count_basis("相談件数")
    ('延べ', '累計', '')
    """
    return find_count_basis(text).basis
