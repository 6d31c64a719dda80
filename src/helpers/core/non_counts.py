"""Numbers that are not counts: dates, frequency rules, ordinals, item markers, year references, fees, ranges.

The reviewed rules live in ``lexicons/non_count_rules.csv``; ``{ERA}`` in a pattern is the shared era regex and
``{form}`` in a reason the matched text with every number written N. A parser picks rules in the order that
settles overlaps, and may re-word one to keep the coverage wording it has always published.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from helpers.core.fiscal_years import ERA_PATTERN
from helpers.core.text import per_parse_cache

RULES_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "non_count_rules.csv"
"""The shared rule list: rule_id, kind, pattern, reason, comment (an example with its file:line)."""

KINDS: frozenset[str] = frozenset(
    "date year_reference period frequency ordinal numbering item_marker fee range name undated".split()
)
"""Kinds of number that are not counts; a parser may word its reasons by kind."""

_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NonCountRule:
    """One kind of number that is not a count: the regex that finds it and the reason a skipped number gets."""

    rule_id: str
    kind: str
    pattern: re.Pattern[str]
    reason: str
    comment: str = ""

    def worded(self, reason: str) -> NonCountRule:
        """The same rule giving another reason (a parser keeping the wording its coverage has always used)."""
        return replace(self, reason=reason)

    def __hash__(self) -> int:
        # rules are part of the key under which spans are remembered; the id and the reason tell them apart
        # without hashing the compiled pattern every time
        return hash((self.rule_id, self.reason))


@dataclass(frozen=True)
class NonCountSpan:
    """Where a rule matched in a text."""

    start: int
    end: int
    text: str
    rule: NonCountRule

    @property
    def reason(self) -> str:
        """The rule's reason, ``{form}`` filled in from the matched text.

        >>> non_count_spans("事業は月8回以上開催", non_count_rules("frequency"))[0].reason
        'frequency rule (月N回以上)'
        """
        if "{form}" not in self.rule.reason:
            return self.rule.reason
        return self.rule.reason.replace("{form}", _DIGIT_RUN.sub("N", _WHITESPACE.sub("", self.text)))


def make_rule(rule_id: str, kind: str, pattern: str, reason: str, comment: str = "") -> NonCountRule:
    """Build a rule from its CSV fields (``{ERA}`` expanded); a sheet-specific rule is built the same way."""
    if kind not in KINDS:
        raise ValueError(f"non-count rule {rule_id}: unknown kind {kind!r} (one of {', '.join(sorted(KINDS))})")
    return NonCountRule(rule_id, kind, re.compile(pattern.replace("{ERA}", ERA_PATTERN)), reason, comment)


@cache
def load_non_count_rules(path: Path = RULES_CSV) -> dict[str, NonCountRule]:
    """The rule list by rule_id, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rules: dict[str, NonCountRule] = {}
    for row in rows:
        if row["rule_id"] in rules:
            raise ValueError(f"{path.name}: rule_id {row['rule_id']!r} listed twice")
        rules[row["rule_id"]] = make_rule(row["rule_id"], row["kind"], row["pattern"], row["reason"], row["comment"])
    return rules


def non_count_rules(*rule_ids: str) -> tuple[NonCountRule, ...]:
    """The named shared rules, in the order given (the first rule matching a number decides its reason)."""
    rules = load_non_count_rules()
    missing = [r for r in rule_ids if r not in rules]
    if missing:
        raise KeyError(f"no non-count rule {', '.join(missing)} in {RULES_CSV.name}")
    return tuple(rules[r] for r in rule_ids)


def non_count_rule(rule_id: str) -> NonCountRule:
    """One shared rule by its rule_id."""
    return non_count_rules(rule_id)[0]


def _matches(text: str, rules: tuple[NonCountRule, ...] | None) -> Iterator[NonCountSpan]:
    for rule in tuple(load_non_count_rules().values()) if rules is None else rules:
        for match in rule.pattern.finditer(text):
            yield NonCountSpan(match.start(), match.end(), match.group(), rule)


@per_parse_cache
def _spans(text: str, rules: tuple[NonCountRule, ...] | None) -> tuple[NonCountSpan, ...]:
    """Every match of every rule, rule by rule, then left to right (parsers ask about one text many times)."""
    return tuple(_matches(text, rules))


def non_count_spans(text: str, rules: tuple[NonCountRule, ...] | None = None) -> list[NonCountSpan]:
    """Every match of every rule (all shared rules in file order if none are given), rule by rule, then left to
    right; overlaps are kept for the caller to settle.

    >>> [(s.text, s.reason) for s in non_count_spans("令和4年6月7日に訓練", non_count_rules("date"))]
    [('令和4年6月7日', 'date')]
    """
    return list(_spans(text, rules))


def non_count_at(text: str, pos: int, rules: tuple[NonCountRule, ...] | None = None) -> NonCountSpan | None:
    """The first match (rules in order) covering ``pos``, the first character of a number; None if it may be a count.

    >>> non_count_at("「支援調整会議」を月1回開催", 10, non_count_rules("frequency")).text
    '月1回'
    >>> non_count_at("1回開催 24人参加", 0, non_count_rules("frequency")) is None
    True
    """
    return covering_span(_spans(text, rules), pos)


def covering_span(spans: Iterable[NonCountSpan], pos: int) -> NonCountSpan | None:
    """The first of ``spans`` (in the order ``non_count_spans`` lists them) covering ``pos``, or None.

    For a parser asking about many numbers of one text: it lists the spans once, then asks this.

    >>> spans = non_count_spans("「支援調整会議」を月1回開催", non_count_rules("frequency"))
    >>> covering_span(spans, 10).text, covering_span(spans, 2)
    ('月1回', None)
    """
    return next((span for span in spans if span.start <= pos < span.end), None)


def non_count_reason(text: str, pos: int, rules: tuple[NonCountRule, ...] | None = None) -> str | None:
    """Why the number starting at ``pos`` is not a count, or None.

    >>> non_count_reason("(1/19 69人参加)", 1), non_count_reason("(1/19 69人参加)", 6)
    ('date (month/day)', None)
    """
    span = non_count_at(text, pos, rules)
    return span.reason if span else None
