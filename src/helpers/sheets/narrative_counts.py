"""Labelled counts written inside narrative text (実施状況, 予定, ■ bullets) read as observations.

One extractor for every parser whose sheets print counts in sentences. It takes a number only where the words
around it say what is counted (a label before it, a verb after its counter, a bracket after an activity); the
shapes and word lists are the reviewed rules of ``lexicons/narrative_count_rules.csv``. Dates, frequency rules,
ordinals and other numbers that are not counts are left to the caller's non-count rules. Offsets are those of
the text given, so ``value_raw`` can be quoted from the raw line.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from helpers.core.non_counts import NonCountRule, covering_span, non_count_rules, non_count_spans
from helpers.core.numbers import COUNTERS
from helpers.core.text import CIRCLED_MARKERS

RULES_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "narrative_count_rules.csv"
"""Shapes (with an example, what it gives and its file:line) and the word lists the extractor uses."""

EXTRA_COUNTERS: tuple[str, ...] = ("地区社協", "企業", "学級", "法人", "事業所", "サロン", "グループ")
"""Counters of the narratives beside the shared list (``8地区社協``, ``15学級``)."""

NOT_COUNTS: tuple[NonCountRule, ...] = non_count_rules(
    "item_marker",
    "date",
    "date_month_day",
    "date_month",
    "date_day",
    "era_year",
    "year_number",
    "gregorian_year",
    "period",
    "frequency",
    "interval",
    "ordinal",
    "fee",
    "range",
    "name",
)
"""Shared rules for numbers that are never counts; a number they cover is left to the caller's wording."""

REASON_NO_LABEL = "count in narrative text: no label names it"
REASON_PARTICLE = "count in narrative text: part of a sentence (particle after it or its label)"
REASON_SHARED = "count in narrative text: shared by several labels (各)"
REASON_NOT_COUNT_UNIT = "number in narrative text: money, share or duration, not a count"
REASON_NO_COUNTER = "number in narrative text without a counter"
REASON_SUB_COUNT = "sub-count in brackets kept in note"
REASON_IN_WORD = "digits inside a name in narrative text"
REASON_RATE = "frequency in narrative text (N回/年)"
NARRATIVE_REASONS: tuple[str, ...] = (
    REASON_NO_LABEL,
    REASON_PARTICLE,
    REASON_SHARED,
    REASON_NOT_COUNT_UNIT,
    REASON_NO_COUNTER,
    REASON_SUB_COUNT,
    REASON_IN_WORD,
    REASON_RATE,
)
"""Every reason the extractor gives a number it does not take (all in the closed list of tables.schema)."""

_NUMBER = re.compile(r"[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+(?![0-9０-９])|[0-9０-９]+(?:[.．][0-9０-９]+)?")
_SPACE = " \t\u3000"
_DIGIT_CHARS = frozenset("0123456789")
_SHORT_COUNTERS = frozenset("回件名人")
_NOT_A_NEW_LABEL = frozenset("目分当以程毎")
"""Characters after 回/件/名/人 that continue the count (3回目, 1人当たり), never open a new label."""
_STOP = frozenset(_SPACE + "、。,，:：【】[]［］■○●◆※⇥\n" + CIRCLED_MARKERS)
_LONG_BRACKET = 10
"""Bracket groups inside a label longer than this (an explanation, not part of a name) are left out of it."""


@dataclass(frozen=True)
class ShapeRule:
    """One shape of labelled count, with the example it was read from."""

    rule_id: str
    description: str
    example: str
    expected: str
    source: str


@dataclass(frozen=True)
class Rules:
    """The reviewed rules: shapes and word lists (longest word first)."""

    shapes: dict[str, ShapeRule]
    words: dict[str, tuple[str, ...]]

    @property
    def verbs(self) -> tuple[str, ...]:
        return self.words["verbs"]


@cache
def load_rules(path: Path = RULES_CSV) -> Rules:
    """Read the rules file; a shape or word list the extractor needs and the file lacks is an error."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    shapes: dict[str, ShapeRule] = {}
    words: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if row["rule_id"] in shapes or row["rule_id"] in words:
            raise ValueError(f"{path.name}: rule_id {row['rule_id']!r} listed twice")
        if row["kind"] == "shape":
            shapes[row["rule_id"]] = ShapeRule(
                row["rule_id"], row["description"], row["example"], row["expected"], row["source"]
            )
        elif row["kind"] == "words":
            words[row["rule_id"]] = tuple(sorted(row["words"].split("|"), key=len, reverse=True))
        elif row["kind"] != "example":  # a further example of a shape (its rule_id in ``words``), for the tests
            raise ValueError(f"{path.name}: unknown kind {row['kind']!r}")
    needed_words = {
        "not_labels",
        "verbs",
        "generic_labels",
        "prefixes",
        "hedges",
        "particles",
        "shared_counts",
        "excluded_units",
    }
    needed_shapes = {
        "label_before",
        "label_colon",
        "list_bullet",
        "breakdown_colon",
        "bracket_label",
        "bracket_full_label",
        "bracket_after_activity",
        "object_verb",
        "label_verb",
        "verb_after",
    }
    missing = (needed_words - set(words)) | (needed_shapes - set(shapes))
    if missing:
        raise ValueError(f"{path.name}: rules missing: {', '.join(sorted(missing))}")
    return Rules(shapes, words)


@dataclass
class NarrativeCount:
    """A labelled count found in a text: its indicator, value, unit and where its raw token stands."""

    indicator: str
    value: float
    unit: str
    start: int
    end: int
    value_raw: str
    rule_id: str
    digits: tuple[int, int] = (0, 0)
    """Offsets of the number itself (the coverage token)."""
    context: str = ""
    """The item heading or activity before a short label, for a caller that must tell two equal labels apart."""
    count_basis: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NarrativeSkip:
    """A number the extractor looked at and did not take, with its reason."""

    start: int
    end: int
    token: str
    reason: str


@dataclass
class Extraction:
    """What the extractor made of a text: counts, and numbers it skipped with a reason of its own."""

    counts: list[NarrativeCount] = field(default_factory=list)
    skips: list[NarrativeSkip] = field(default_factory=list)


class _PlainChars(dict[int, str]):
    """A ``str.translate`` table: each character's NFKC form where that is one character, else the character
    itself; item markers stay markers (NFKC would make them digits beside real values). Filled as characters are
    met, so a text costs one lookup per character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        norm = char if char in CIRCLED_MARKERS else unicodedata.normalize("NFKC", char)
        self[code] = plain = norm if len(norm) == 1 else char
        return plain


_PLAIN_CHARS = _PlainChars()


def _plain(text: str) -> str:
    """Each character NFKC-normalised on its own where that keeps one character (offsets stay exact)."""
    return text.translate(_PLAIN_CHARS)


@cache
def _counters() -> tuple[str, ...]:
    return tuple(sorted(set(COUNTERS) | set(EXTRA_COUNTERS), key=len, reverse=True))


@cache
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex trying ``words`` in their order: its match at a position is the first word starting there."""
    return re.compile("|".join(map(re.escape, words)))


def _match_word(text: str, pos: int, words: tuple[str, ...]) -> str:
    """The first word of ``words`` (longest first: the longest word) that starts at ``pos``, or ''."""
    if pos > len(text) or "" in words:
        return next((w for w in words if text.startswith(w, pos)), "")
    match = _alternation(words).match(text, pos)
    return match.group() if match else ""


@cache
def _suffixes(words: tuple[str, ...]) -> tuple[tuple[int, ...], dict[str, int]]:
    """The lengths of ``words`` and each word's first place among them."""
    places: dict[str, int] = {}
    for place, word in enumerate(words):
        places.setdefault(word, place)
    return tuple(sorted({len(w) for w in words})), places


def _ends_with_word(text: str, words: tuple[str, ...]) -> str:
    """The first word of ``words`` that ``text`` ends with, or '' (one lookup per word length)."""
    lengths, places = _suffixes(words)
    ends = [text[len(text) - n :] for n in lengths if n <= len(text)]
    found = [end for end in ends if end in places]
    return min(found, key=places.__getitem__) if found else ""


def _is_bullet(text: str, pos: int) -> bool:
    """A ・ opening a list item: at the start of the text or after a space or marker (never inside 介護予防・生活)."""
    return text[pos] == "・" and (pos == 0 or text[pos - 1] in _STOP or text[pos - 1] in "(（")


def _open_bracket(text: str, pos: int) -> int | None:
    """Where the bracket enclosing ``pos`` opens, or None."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        char = text[i]
        if char in ")）":
            depth += 1
        elif char in "(（":
            if depth == 0:
                return i
            depth -= 1
    return None


def _close_bracket(text: str, pos: int) -> int | None:
    """Where the bracket opened at ``pos`` closes, or None."""
    depth = 0
    for i in range(pos, len(text)):
        if text[i] in "(（":
            depth += 1
        elif text[i] in ")）":
            depth -= 1
            if depth == 0:
                return i
    return None


class _Reader:
    """Reads the numbers of one text, left to right."""

    def __init__(self, raw: str, rules: Rules) -> None:
        self.raw = raw
        self.text = _plain(raw)
        self.rules = rules
        self.out = Extraction()
        self.claimed: set[int] = set()
        self.floor = 0
        """Labels never reach back past the end of the last count read (``13 回ブロック別研修会 2 回``)."""
        self.spans = non_count_spans(self.text, NOT_COUNTS) if _NUMBER.search(self.text) else []
        """Numbers the shared non-count rules cover (a text without numbers has nothing to look at)."""
        self.totals: list[NarrativeCount] = []

    # ------------------------------------------------------------ words around a number

    def unit_at(self, pos: int) -> tuple[str, int]:
        """The counter right after a number (spaces allowed) and where it ends."""
        i = pos
        while i < len(self.text) and self.text[i] in _SPACE:
            i += 1
        unit = _match_word(self.text, i, _counters())
        return (unit, i + len(unit)) if unit else ("", pos)

    def label_start(self, end: int) -> int:
        """Scan back from ``end`` over a label: stops at spaces, punctuation, markers, bullets, an open bracket,
        a count read before; bracket groups and digits inside words (110番, 3世代) are part of it."""
        i = end
        while i > self.floor:
            char = self.text[i - 1]
            if char in ")）":
                opening = _open_bracket(self.text, i - 1)
                if opening is None or opening < self.floor:
                    break
                i = opening
                continue
            if char in "(（" or char in _STOP or (char == "・" and _is_bullet(self.text, i - 1)):
                break
            if char in _DIGIT_CHARS:
                j = i
                while j > self.floor and (self.text[j - 1] in _DIGIT_CHARS or self.text[j - 1] in ",."):
                    j -= 1
                if j == self.floor or self.text[j - 1] in _STOP or self.text[j - 1] in "(（・":
                    if self.unit_at(i)[0]:
                        break
                    i = j  # 3世代交流事業, 子ども110番: digits that open or sit inside a word
                    break
                if self.unit_at(i)[0]:
                    break
                i = j
                continue
            i -= 1
        return i

    def label_text(self, start: int, end: int) -> str:
        """The label between two offsets: long bracket groups left out, spaces and leaders trimmed."""
        label = self.raw[start:end]
        plain = self.text[start:end]
        pieces, i = [], 0
        while i < len(plain):
            if plain[i] in "(（":
                close = _close_bracket(plain, i)
                if close is not None and close - i - 1 > _LONG_BRACKET:
                    i = close + 1
                    continue
            pieces.append(label[i])
            i += 1
        return " ".join("".join(pieces).split()).strip(" ・:：…")

    def prefix_before(self, pos: int) -> tuple[str, int]:
        """A word such as 計, 延べ, 全, 約 right before the number, and where it starts."""
        i = pos
        while i > 0 and self.text[i - 1] in _SPACE:
            i -= 1
        head = self.text[max(0, i - 3) : i]
        word = _ends_with_word(head, self.rules.words["prefixes"])
        return (word, i - len(word)) if word else ("", pos)

    def after(self, pos: int, unit: str = "") -> tuple[str, str, int]:
        """What follows a counter: ('hedge'|'verb'|'particle'|'end'|'word', the word, where it ends)."""
        i = pos
        hedge = _match_word(self.text, i, self.rules.words["hedges"])
        if hedge:
            return "hedge", hedge, i + len(hedge)
        if i >= len(self.text) or self.text[i] in _SPACE + "、。,)）・⇥\n■" or self.text[i] in CIRCLED_MARKERS:
            return "end", "", i
        if self.text[i] in "(（":
            return "bracket", "", i
        with_object = self.text.startswith("を", i)
        verb = _match_word(self.text, i + (1 if with_object else 0), self.rules.verbs)
        if verb:
            return "verb", ("を" if with_object else "") + verb, i + len(verb) + (1 if with_object else 0)
        particle = _match_word(self.text, i, self.rules.words["particles"])
        if particle:
            return "particle", particle, i + len(particle)
        if unit in _SHORT_COUNTERS and _opens_label(self.text[i]) and self.text[i] not in _NOT_A_NEW_LABEL:
            return "end", "", i  # line 859: 専門部会 13 回ブロック別研修会 2 回: a new label follows without a space
        return "word", "", i

    def context_before(self, pos: int) -> str:
        """The activity standing before ``pos`` (a bracket's opening, a generic label) back to a stop."""
        start = self.label_start_loose(pos)
        if start == pos and pos > 0 and self.text[pos - 1] == "。":
            # line 658: …を大殿地区で開催。(基礎編12名、応用編10名参加): the bracket counts the sentence before it
            pos = pos - 1
            start = self.label_start_loose(pos)
        return self.label_text(start, pos)

    def label_start_loose(self, end: int) -> int:
        """Like ``label_start`` but reaching over spaces inside the item (an activity is a phrase)."""
        i = end
        while i > 0:
            char = self.text[i - 1]
            if char in ")）":
                opening = _open_bracket(self.text, i - 1)
                if opening is None:
                    break
                i = opening
                continue
            if (
                char in "(（、。:：【】■○●※⇥\n\t"
                or char in CIRCLED_MARKERS
                or (char == "・" and _is_bullet(self.text, i - 1))
            ):
                break
            if char in _DIGIT_CHARS and self.unit_at(i)[0]:
                break
            i -= 1
        return i

    def heading_of(self, pos: int) -> str:
        """The item heading a ・ bullet stands under (``⑤お元気コールの実施 ・利用者 13 世帯``), if it has no digits."""
        marks = CIRCLED_MARKERS + "■○"
        marker = next((i for i in range(pos - 1, -1, -1) if self.text[i] in marks), None)  # the last before pos
        if marker is None:
            return ""
        bullet = next((i for i in range(pos - 1, marker - 1, -1) if _is_bullet(self.text, i)), None)
        if bullet is None:
            return ""
        first_bullet = next((i for i in range(marker + 1, bullet + 1) if _is_bullet(self.text, i)), bullet)
        heading = self.text[marker + 1 : first_bullet]
        if not heading.strip() or any(c in _DIGIT_CHARS for c in heading):
            return ""
        return self.label_text(marker + 1, first_bullet)

    # ------------------------------------------------------------ reading

    def skip(self, start: int, end: int, reason: str) -> None:
        if start not in self.claimed:
            self.claimed.add(start)
            self.out.skips.append(NarrativeSkip(start, end, self.raw[start:end], reason))

    def read(self) -> Extraction:
        for match in _NUMBER.finditer(self.text):
            start, end = match.span()
            if start in self.claimed or covering_span(self.spans, start) is not None:
                continue
            self.read_number(start, end)
        return self.out

    def read_number(self, start: int, end: int) -> None:
        """Decide what one number is: a labelled count, a sub-count, or a number left with a reason."""
        before = self.text[start - 1] if start else ""
        unit, unit_end = self.unit_at(end)
        if not unit:
            if before and not (before in _STOP or before in "(（・" or before in _SPACE):
                self.skip(start, end, REASON_IN_WORD)
            else:
                self.skip(start, end, REASON_NO_COUNTER)
            return
        if unit in self.rules.words["excluded_units"]:
            self.skip(start, end, REASON_NOT_COUNT_UNIT)
            return
        if unit_end < len(self.text) and self.text[unit_end] in _DIGIT_CHARS:
            self.skip(start, end, REASON_IN_WORD)  # 1部39名: a part number before a count
            return
        word, word_start = self.prefix_before(start)
        if (
            self.text[max(0, word_start - 1) : word_start] in self.rules.words["shared_counts"]
            or word in (self.rules.words["shared_counts"])
        ):
            self.skip(start, end, REASON_SHARED)
            return
        if word_start > 0 and self.text[word_start - 1] in self.rules.words["shared_counts"]:
            self.skip(start, end, REASON_SHARED)
            return
        kind, follow, follow_end = self.after(unit_end, unit)
        if kind in ("particle", "word"):
            if self.text.startswith("/", unit_end):
                self.skip(start, end, REASON_RATE)  # 情報提供1回/年: a rate, not a count
            else:
                self.skip(start, end, REASON_PARTICLE if kind == "particle" else REASON_IN_WORD)
            return
        colon = self.colon_before(word_start)
        label_end = colon if colon is not None else word_start
        label_end = self.trim_spaces(label_end)
        label_start = self.label_start(label_end)
        label = self.label_text(label_start, label_end)
        stem = self.bracket_stem(label_start)
        if stem and label:
            label = f"{stem} {label}"
        bracket = _open_bracket(self.text, start)
        decided = self.name(label, label_start, colon is not None, kind, follow, bracket, start)
        if label_start > 0 and self.text[label_start - 1] in _DIGIT_CHARS:
            decided = None  # 1部39名: the label is another count's counter
        if decided is None:
            self.skip(start, end, REASON_PARTICLE if self.ends_in_particle(label) else REASON_NO_LABEL)
            return
        indicator, rule_id = decided
        raw_start = word_start if word else start
        raw_end = follow_end if kind == "hedge" else unit_end
        count = NarrativeCount(
            indicator=indicator,
            value=float(self.text[start:end].replace(",", "")),
            unit=unit,
            start=raw_start,
            end=raw_end,
            value_raw=self.raw[raw_start:raw_end],
            rule_id=rule_id,
            digits=(start, end),
        )
        if rule_id in ("label_before", "label_colon") and indicator == label:
            count.context = self.heading_of(label_start) or self.context_before(label_start)
        self.qualify(count, word, kind, follow)
        self.claimed.add(start)
        self.out.counts.append(count)
        self.floor = follow_end if kind in ("verb", "hedge") else unit_end
        self.sub_counts(count, self.floor)

    def bracket_stem(self, pos: int) -> str:
        """A 【…】 group right before a label names what it belongs to (``【地区社協連絡会】研修会1回``)."""
        if pos == 0 or self.text[pos - 1] != "】":
            return ""
        opening = self.text.rfind("【", self.floor, pos - 1)
        return self.label_text(opening + 1, pos - 1) if opening >= 0 else ""

    def trim_spaces(self, pos: int) -> int:
        while pos > self.floor and self.text[pos - 1] in _SPACE:
            pos -= 1
        return pos

    def colon_before(self, pos: int) -> int | None:
        i = self.trim_spaces(pos)
        return i - 1 if i > 0 and self.text[i - 1] in ":：" else None

    def ends_in_particle(self, label: str) -> bool:
        return bool(_ends_with_word(label, self.rules.words["particles"]))

    def name(
        self, label: str, label_start: int, colon: bool, kind: str, follow: str, bracket: int | None, start: int
    ) -> tuple[str, str] | None:
        """The indicator and the shape rule, or None when the words do not say what is counted."""
        generic = self.rules.words["generic_labels"]
        verb = follow if kind == "verb" else ""
        if label and self.ends_in_particle(label) and not label.endswith("を"):
            return None
        if label.endswith("を"):
            if not verb:
                return None
            return f"{label}{verb.removeprefix('を')}", "object_verb"
        if label and not any(_is_word_char(c) for c in label):
            label = ""
        if label and (label in self.rules.words["not_labels"] or self.glued_to_count(label_start)):
            return None
        if label and verb and bracket is None:
            return f"{label}{verb.removeprefix('を') if verb.startswith('を') else verb}", "label_verb"
        if bracket is not None and bracket < start:
            context = self.context_before(bracket)
            if label and label.endswith("数") and label not in generic:
                return label, "bracket_full_label"
            if not context:
                return None  # line 658: (基礎編12名、応用編10名参加) after a 。: nothing says what the bracket counts
            if label:
                return f"{context} {label}", "bracket_label"
            if verb:
                return (context if context.endswith(verb) else f"{context} {verb}"), "verb_after"
            if self.first_in_bracket(bracket, start) and self.activity_ends(context):
                return context, "bracket_after_activity"
            return None
        if not label:
            if verb:
                context = self.context_before(label_start)
                return (f"{context} {verb}", "verb_after") if context else None
            return None
        if colon and self.totals and self.in_bullets(label_start):
            total = self.totals[-1]
            return f"{total.indicator} {label}", "breakdown_colon"
        if label in generic or len(label) < 2:
            heading = self.heading_of(label_start)
            context = heading or self.context_before(label_start)
            context_start = self.label_start_loose(label_start)
            if not context or (not heading and context_start and self.text[context_start - 1] in _DIGIT_CHARS):
                return None
            return f"{context} {label}", "list_bullet" if heading else "label_before"
        return label, "label_colon" if colon else "label_before"

    def glued_to_count(self, pos: int) -> bool:
        """A label opening with a counter right after a number (line 859: ``13 回ブロック別研修会``)."""
        i = pos
        while i > 0 and self.text[i - 1] in _SPACE:
            i -= 1
        word = _match_word(self.text, pos, ("回", "件", "名", "人"))
        return bool(word) and i > 0 and self.text[i - 1] in _DIGIT_CHARS

    def in_bullets(self, pos: int) -> bool:
        """The label opens a ・ bullet (a breakdown bullet after its total)."""
        i = pos - 1
        while i >= 0 and self.text[i] in _SPACE:
            i -= 1
        return i >= 0 and self.text[i] == "・"

    def first_in_bracket(self, bracket: int, start: int) -> bool:
        """The number is the first thing in its bracket (after 計 or spaces)."""
        inner = self.text[bracket + 1 : start].strip(_SPACE)
        return inner in ("",) or inner in self.rules.words["prefixes"]

    def activity_ends(self, context: str) -> bool:
        """The phrase before a bracket ends with an activity (…を提供, …の開催, …啓発活動)."""
        return bool(context) and (bool(_ends_with_word(context, self.rules.verbs)) or context.endswith("活動"))

    def qualify(self, count: NarrativeCount, word: str, kind: str, follow: str) -> None:
        """Count basis and notes from the words around the number."""
        if word in ("延べ", "延"):
            count.count_basis = "延べ"
        elif word == "累計":
            count.count_basis = "累計"
        elif word in ("計", "全"):
            count.notes.append(f"total ({word})")
        elif word in ("約", "計約"):
            count.notes.append(f"approximate ({word})")
        if kind == "hedge":
            count.notes.append({"程度": "approximate (程度)", "以上": "at least (以上)"}.get(follow, follow))
        if kind == "verb" and follow.endswith("予定"):
            count.notes.append("planned (予定)")
        if count.rule_id != "breakdown_colon" and not count.indicator.endswith(":"):
            self.totals.append(count)

    def sub_counts(self, count: NarrativeCount, pos: int) -> None:
        """A bracket right after a count holds its sub-counts (新規2件、休止3件…): note, never values."""
        i = pos
        while i < len(self.text) and self.text[i] in _SPACE:
            i += 1
        if i >= len(self.text) or self.text[i] not in "(（":
            return
        close = _close_bracket(self.text, i)
        if close is None:
            return
        count.notes.append(self.raw[i : close + 1].strip())
        for match in _NUMBER.finditer(self.text, i, close):
            if covering_span(self.spans, match.start()) is None:
                self.skip(match.start(), match.end(), REASON_SUB_COUNT)
        self.floor = close + 1


def _opens_label(char: str) -> bool:
    """A kanji or katakana (a label may start with one; hiragana continues a sentence)."""
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED", "KATAKANA"))


def _is_word_char(char: str) -> bool:
    """A kanji, kana or letter (a label holds at least one)."""
    return char.isalpha()


def extract_counts(text: str, rules: Rules | None = None) -> Extraction:
    """Labelled counts of a narrative text, and the numbers it looked at and did not take.

    >>> [(c.indicator, c.value, c.unit, c.value_raw) for c in extract_counts("・運営費支援 33サロン").counts]
    [('運営費支援', 33.0, 'サロン', '33サロン')]
    >>> [(c.indicator, c.value_raw) for c in extract_counts("④チャリティーゴルフ大会の開催(参加者58名)").counts]
    [('チャリティーゴルフ大会の開催 参加者', '58名')]
    >>> extract_counts("「支援調整会議」を月1回開催").counts
    []
    """
    return _Reader(text, rules or load_rules()).read()
