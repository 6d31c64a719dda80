"""COVID-19 events in the sheets' narrative text: lexicon loading, sentence splitting and event detection.

A sentence is a COVID event when it holds a COVID context term (新型コロナ, 感染拡大 …) and an effect term
(中止, 縮小, オンライン, 再開 …); each effect gives one event. The terms live in ``lexicons/covid_lexicon.csv``
so they can be reviewed as data. Matching runs on the NFKC form of a sentence; the evidence keeps the original.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from helpers import CITIES
from helpers.core.fiscal_years import era_to_gregorian
from helpers.core.text import CIRCLED_MARKERS, NOTE_SEPARATOR, nfkc
from helpers.tables.schema import COVID_EFFECTS

LEXICON_FILE = "covid_lexicon.csv"
"""File name of the lexicon inside the package's ``lexicons`` folder (package data)."""

KINDS: tuple[str, ...] = ("covid_context", "effect", "exclude", "activity", "scheme_change")
"""Lexicon row kinds: a COVID context term, an effect term, a phrase masked before matching (a topic use), the
head noun of a named activity (研修会, まつり …) used to follow a cancelled activity into a later plan, or a phrase
saying the scheme behind a series changed (the sheet explains its numbers otherwise)."""

EFFECTS: tuple[str, ...] = COVID_EFFECTS
"""Closed vocabulary of effects, in the order events are sorted. ``mentioned``: the sentence names the pandemic and no
effect (流行下でありながらも…交流を実施した, コロナ禍による相談件数の増): a mention where nothing stopped."""

DERIVED_EFFECTS: tuple[str, ...] = ("mentioned", "stopped_no_cause")
"""Effects no lexicon term carries: read from the absence of an effect term, or of the pandemic words."""

STALL_EFFECTS: tuple[str, ...] = ("cancelled", "postponed", "reduced", "moved_format")
"""Effects that say an activity stalled (did not run, ran less, or ran in a substitute format)."""

EFFECT_LABELS_JA: dict[str, str] = {
    "cancelled": "中止",
    "postponed": "延期",
    "reduced": "休止・制限",
    "scaled_down": "規模を縮小して実施",
    "moved_format": "形式の変更",
    "resumed": "再開",
    "mentioned": "言及のみ",
    "stopped_no_cause": "中止(理由の記載なし)",
}
"""Japanese labels of the effects, for figures and the report."""

PLAN_STALL_EFFECTS: tuple[str, ...] = ("cancelled", "postponed", "reduced")
"""Effects that, in a plan column, say the stall goes on (a plan cell can report 開催予定であったが…中止)."""

FOLLOWED_EFFECTS: tuple[str, ...] = ("cancelled", "postponed", "stopped_no_cause")
"""Effects whose named activity is looked for in later plans (an activity that did not take place)."""

STATED_CAUSE = re.compile(r"により|による|ため|よって|の影響|が原因")
"""Words that give a cause: a stop with a cause other than the pandemic (対象者の退職により実績なし,
ichinoseki_fy2023_council_papers.txt:286) is not read as a stall."""

MIN_NAME_MODIFIER = 2
"""Characters an activity name needs before its head noun: a bare 研修会 or イベント names a kind, not one activity."""

MATCH_TYPES: tuple[str, ...] = ("substring", "regex")
"""How a term matches: as a literal substring, or as a regular expression (both on NFKC text)."""

EVENT_COLUMNS: tuple[str, ...] = (
    "city",
    "measure_id",
    "fiscal_year",
    "period_start",
    "value_kind",
    "effect",
    "evidence",
    "source_file",
    "source_line",
)
"""Columns of ``covid_events.csv``. ``value_kind`` (actual|plan|target) tells a result from a plan on one line."""

_MASK = "\x00"
_SENTENCE_BREAK = re.compile(rf"[。■\n\r]|(?:^|(?<=\s))[・･]|[{CIRCLED_MARKERS}]|(?=【)")
"""Sentence breaks; a middle dot opens a bullet only at the start or after a space, so 小・中学校 keeps its dot.
A 【課名】 label starts a new item (一関市 cells list several departments in one line)."""
_CLAUSE_BREAKS: tuple[str, ...] = ("が、", "ものの、", "一方、", "一方で")
"""Adversative joints: a year named before one (``3年度は…休止…が、``) does not carry past it."""
_NAME_STOP = re.compile(rf"[\s0-9はがをにでのともやへる、。,.・･「」『』【】()〔〕\[\]※:;!?/{CIRCLED_MARKERS}]")
"""Characters that end an activity name when read backwards from its head noun (particles, the verb ending る,
punctuation, digits: NFKC turns the item markers ①② into digits)."""
_QUALIFIER = re.compile(r"(?:〔[^〔〕]{1,30}〕|\([^()]{1,30}\))")
"""A bracketed qualifier right after an activity name (〔高等学校・大学対象〕, (山口市障害者団体連合会主催))."""
_YEAR_MENTION = re.compile(
    r"(?<![A-Za-z0-9])(令和|平成|R|H)\s*(元|\d{1,2})\s*(?:年度|(?=[はにのでもへ:：、,)）(（]))"
    r"|(?<![0-9A-Za-z年和成])(元|\d{1,2})\s*年度"
)
"""A fiscal year named inside a sentence: ``R2は``, ``令和3年度``, or Shiroi's bare ``4年度`` (era of the row)."""


@dataclass(frozen=True)
class LexiconTerm:
    """One reviewed lexicon row, with its compiled pattern (run on NFKC text)."""

    kind: str
    effect: str
    term: str
    match: str
    self_sufficient: bool
    comment: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    """The COVID lexicon split by kind."""

    context: tuple[LexiconTerm, ...]
    effects: tuple[LexiconTerm, ...]
    excludes: tuple[LexiconTerm, ...]
    activities: tuple[LexiconTerm, ...] = ()
    scheme_changes: tuple[LexiconTerm, ...] = ()


def _lexicon_text(path: Path | None) -> tuple[str, str]:
    """The lexicon's text and a name for messages: the given file, else the packaged CSV."""
    if path is not None:
        return Path(path).read_text(encoding="utf-8"), str(path)
    resource = resources.files("helpers").joinpath("lexicons", LEXICON_FILE)
    return resource.read_text(encoding="utf-8"), f"helpers/lexicons/{LEXICON_FILE}"


def _term_problems(row: dict[str, str], line: int) -> list[str]:
    """Everything wrong with one lexicon row (closed vocabularies, empty term, regex that fails)."""
    problems = []
    kind, effect, match = row.get("kind", ""), row.get("effect", ""), row.get("match", "")
    if kind not in KINDS:
        problems.append(f"line {line}: kind {kind!r} not in {KINDS}")
    if kind == "effect" and effect not in EFFECTS:
        problems.append(f"line {line}: effect {effect!r} not in {EFFECTS}")
    if kind != "effect" and effect:
        problems.append(f"line {line}: only effect rows name an effect (got {effect!r})")
    if match not in MATCH_TYPES:
        problems.append(f"line {line}: match {match!r} not in {MATCH_TYPES}")
    if row.get("self_sufficient", "") not in ("", "true", "false"):
        problems.append(f"line {line}: self_sufficient must be true, false or empty")
    if not row.get("term", ""):
        problems.append(f"line {line}: empty term")
    elif match == "regex":
        try:
            re.compile(nfkc(row["term"]))
        except re.error as exc:
            problems.append(f"line {line}: bad regex {row['term']!r}: {exc}")
    return problems


@functools.lru_cache(maxsize=8)
def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read and check the COVID lexicon (the packaged CSV unless ``path`` is given); every problem is reported.

    >>> lexicon = load_lexicon()
    >>> sorted({t.effect for t in lexicon.effects}) == sorted(e for e in EFFECTS if e not in DERIVED_EFFECTS)
    True
    """
    text, name = _lexicon_text(path)
    rows = list(csv.DictReader(text.splitlines()))
    problems = [p for i, row in enumerate(rows, start=2) for p in _term_problems(row, i)]
    if problems:
        raise ValueError(f"{name}: " + "; ".join(problems))
    terms = [
        LexiconTerm(
            kind=row["kind"],
            effect=row["effect"],
            term=row["term"],
            match=row["match"],
            self_sufficient=row["self_sufficient"] == "true",
            comment=row.get("comment", ""),
            pattern=re.compile(nfkc(row["term"]) if row["match"] == "regex" else re.escape(nfkc(row["term"]))),
        )
        for row in rows
    ]
    return Lexicon(
        context=tuple(t for t in terms if t.kind == "covid_context"),
        effects=tuple(t for t in terms if t.kind == "effect"),
        excludes=tuple(t for t in terms if t.kind == "exclude"),
        activities=tuple(t for t in terms if t.kind == "activity"),
        scheme_changes=tuple(t for t in terms if t.kind == "scheme_change"),
    )


def split_sentences(text: str) -> list[str]:
    """Split narrative text into sentences at 。, ■, line breaks, bullet ・, circled item markers (①…) and 【課名】.

    A ・ between words (小・中学校) is not a break, and ※ notes stay with their item.

    >>> split_sentences("■ 中止した。再開する ・福祉教育〔小・中学校〕②実施なし ※コロナのため【福祉課】■ 開催")
    ['中止した', '再開する', '福祉教育〔小・中学校〕', '実施なし ※コロナのため', '【福祉課】', '開催']
    """
    if not isinstance(text, str) or not text:
        return []
    pieces = _SENTENCE_BREAK.split(text)
    return [p.strip(" \t\u3000") for p in pieces if p.strip(" \t\u3000・･-ー—")]


def _masked(key_text: str, lexicon: Lexicon) -> str:
    """NFKC text with topic phrases (exclude rows) blanked, so they match neither context nor effect."""
    for term in lexicon.excludes:
        key_text = term.pattern.sub(lambda m: _MASK * len(m.group(0)), key_text)
    return key_text


def has_covid_context(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence names the pandemic (after masking topic uses such as 感染症対策の研修)."""
    masked = _masked(nfkc(sentence), lexicon)
    return any(t.pattern.search(masked) for t in lexicon.context)


def _mentioned_years(key_text: str, default_year: int) -> list[tuple[int, int]]:
    """(position, fiscal year) of every year the text names; bare ``N年度`` takes the row's era."""
    default_era = "令和" if default_year >= 2019 else "平成"
    years = []
    for m in _YEAR_MENTION.finditer(key_text):
        if m.group(1):
            years.append((m.start(), era_to_gregorian(m.group(1), m.group(2))))
        else:
            years.append((m.start(), era_to_gregorian(default_era, m.group(3))))
    return years


def _anchor_year(key_text: str, position: int, default_year: int) -> int:
    """The fiscal year an effect at ``position`` reports on: the last year named before it in its clause."""
    clause_start = max((key_text.rfind(b, 0, position) for b in _CLAUSE_BREAKS), default=-1)
    named = [y for start, y in _mentioned_years(key_text, default_year) if clause_start <= start < position]
    return named[-1] if named else default_year


def sentence_effects(sentence: str, fiscal_year: int, lexicon: Lexicon) -> list[tuple[int, str]]:
    """The (fiscal_year, effect) pairs a sentence reports (see :func:`dated_effects`)."""
    return [(year, effect) for year, effect, _ in dated_effects(sentence, fiscal_year, lexicon)]


def dated_effects(sentence: str, fiscal_year: int, lexicon: Lexicon) -> list[tuple[int, str, bool]]:
    """The (fiscal_year, effect, year stated) triples a sentence reports, sorted; empty without a COVID context.

    The year is the row's unless the sentence names one before the effect (``3年度は…休止``). A sentence that says
    in one breath, without naming a year, that an activity had stopped and has resumed (``休止されていたが、徐々に
    再開された``) looks back: its stall is dated to the year before the row. A pandemic sentence with no effect
    term is ``mentioned``. ``year stated`` is False where no year is named before the effect (the row's year, or
    the year before it for a look-back): in a text reviewing several years, such an effect may belong to any.

    >>> lexicon = load_lexicon()
    >>> dated_effects("新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした", 2022, lexicon)
    [(2020, 'cancelled', True)]
    >>> dated_effects("対象者の退職により実績なし", 2022, lexicon)
    []
    >>> dated_effects("③地域福祉権利擁護事業支援員研修会を中止", 2021, lexicon)
    [(2021, 'stopped_no_cause', False)]
    >>> dated_effects("新型コロナの影響により、地域のサロン等が休止されていたが、徐々に再開された", 2022, lexicon)
    [(2021, 'reduced', False), (2022, 'resumed', False)]
    """
    masked = _masked(nfkc(sentence), lexicon)
    context = any(t.pattern.search(masked) for t in lexicon.context)
    found: set[tuple[int, str]] = set()
    undated: set[str] = set()
    for term in lexicon.effects:
        if not (context or term.self_sufficient):
            continue
        for m in term.pattern.finditer(masked):
            year = _anchor_year(masked, m.start(), fiscal_year)
            found.add((year, term.effect))
            if year == fiscal_year and not _mentioned_years(masked[: m.start()], fiscal_year):
                undated.add(term.effect)
    looked_back: set[tuple[int, str]] = set()
    if ("resumed" in undated) and (fiscal_year, "resumed") in found:
        looked_back = {(y, e) for y, e in found if y == fiscal_year and e in PLAN_STALL_EFFECTS and e in undated}
        found = (found - looked_back) | {(y - 1, e) for y, e in looked_back}
    if context and not found:
        found.add((fiscal_year, "mentioned"))
        undated.add("mentioned")
    if not context:
        stops = _uncaused_stops(masked, fiscal_year, lexicon)
        found |= stops
        undated |= {e for y, e in stops if y == fiscal_year}
    unstated = {(fiscal_year, e) for e in undated} | {(y - 1, e) for y, e in looked_back}
    return sorted(((y, e, (y, e) not in unstated) for y, e in found), key=lambda t: (t[0], EFFECTS.index(t[1])))


def _uncaused_stops(masked: str, fiscal_year: int, lexicon: Lexicon) -> set[tuple[int, str]]:
    """``stopped_no_cause`` for a sentence with no pandemic words that says a named activity (a head noun such as
    研修会) did not take place and gives no cause (地域福祉権利擁護事業支援員研修会を中止,
    yamaguchi_fy2021_implementation_report.txt:970; 研修会等は実施していない, ichinoseki_fy2023_council_papers.txt:346).
    Only the timing can tie it to the pandemic."""
    if STATED_CAUSE.search(masked) or not any(t.pattern.search(masked) for t in lexicon.activities):
        return set()
    found = set()
    for term in lexicon.effects:
        if term.effect == "cancelled":
            for m in term.pattern.finditer(masked):
                found.add((_anchor_year(masked, m.start(), fiscal_year), "stopped_no_cause"))
    return found


def activity_names(sentence: str, lexicon: Lexicon) -> list[str]:
    """Names of the activities a sentence mentions (NFKC): the words before a head noun such as 研修会 back to a
    particle or punctuation, with a bracketed qualifier that follows; a bare head noun (fewer than
    ``MIN_NAME_MODIFIER`` characters before it) and names inside longer ones are dropped. Sorted.

    >>> lexicon = load_lexicon()
    >>> activity_names("福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止", lexicon)
    ['福祉教育情報交換会〔高等学校・大学対象〕']
    >>> activity_names("新型コロナウイルス感染症蔓延防止の観点から、福祉まつりが中止となった", lexicon)
    ['福祉まつり']
    """
    text = nfkc(sentence)
    names: set[str] = set()
    for term in lexicon.activities:
        for m in term.pattern.finditer(text):
            start = m.start()
            while start > 0 and not _NAME_STOP.match(text[start - 1]):
                start -= 1
            qualifier = _QUALIFIER.match(text, m.end())
            name = text[start : qualifier.end() if qualifier else m.end()]
            if m.start() - start >= MIN_NAME_MODIFIER:
                names.add(name)
    return sorted(n for n in names if not any(n != other and n in other for other in names))


def names_scheme_change(text: str, lexicon: Lexicon) -> bool:
    """Whether a text says the scheme behind an activity changed (補助要綱の見直し, 重層的支援体制整備事業として実施).

    >>> names_scheme_change("令和4年度から重層的支援体制整備事業として実施", load_lexicon())
    True
    """
    key = nfkc(text)
    return any(t.pattern.search(key) for t in lexicon.scheme_changes)


def names_a_stall(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence holds a cancel, postpone or reduce term, with or without a COVID context (a plan that
    says ``開催予定であったが…中止`` is no plan to hold the activity)."""
    masked = _masked(nfkc(sentence), lexicon)
    return any(t.pattern.search(masked) for t in lexicon.effects if t.effect in PLAN_STALL_EFFECTS)


def follows_up(stall_sentence: str, plan_sentence: str, lexicon: Lexicon) -> bool:
    """Whether a plan sentence names an activity the stall sentence names and says nothing of stopping it.

    >>> lexicon = load_lexicon()
    >>> stall = "新任研修会は各地区で開催、福祉の輪づくり運動関係者及び福祉員研修会は新型コロナのため中止"
    >>> follows_up(stall, "④新任研修会はハイブリッド式で開催、福祉員研修会の開催方法を検討", lexicon)
    True
    >>> follows_up("市ふれあいレク大会は新型コロナのため中止", "市ふれあいレク大会を開催予定であったが中止", lexicon)
    False
    """
    return bool(followed_name(stall_sentence, plan_sentence, lexicon))


def followed_name(stall_sentence: str, plan_sentence: str, lexicon: Lexicon) -> str:
    """The longest activity name of the stall sentence that a plan sentence names without stopping it ('' if none)."""
    if names_a_stall(plan_sentence, lexicon):
        return ""
    plan = nfkc(plan_sentence)
    named = [n for n in activity_names(stall_sentence, lexicon) if n in plan]
    return max(named, key=lambda n: (len(n), n)) if named else ""


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Stop early, naming the table, when input columns are missing (check of inputs before any work)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {missing}")


def _text_cells(activities: pd.DataFrame, indicators: pd.DataFrame) -> Iterator[tuple[dict[str, object], str]]:
    """Each narrative cell with its row, in order of trust in its characters: activity texts, raw value tokens
    (exact substrings of the line), then each item of the indicator notes (which a parser may have normalised; an
    item is the sheet's words or the parser's remark, never both: 実施なし ※新型コロナ…, then the remark on 0)."""
    for row in activities.to_dict("records"):
        yield row, row["text"]
    indicator_rows = indicators.to_dict("records")
    for row in indicator_rows:
        yield row, row["value_raw"]
    for row in indicator_rows:
        for item in row["note"].split(NOTE_SEPARATOR) if isinstance(row["note"], str) else ():
            yield row, item


def detect_covid_events(
    activities: pd.DataFrame, indicators: pd.DataFrame, lexicon: Lexicon | None = None
) -> pd.DataFrame:
    """Find COVID events in activity texts and in indicator raw value cells / notes (``covid_events.csv``).

    One row per (sentence, year, effect). A sentence met twice on one line (the cell and a note repeating it,
    perhaps NFKC-normalised) is kept once, in the characters of the first, most trusted, cell. Rows sorted.
    """
    lexicon = lexicon or load_lexicon()
    base = ["city", "measure_id", "fiscal_year", "value_kind", "source_file", "source_line"]
    require_columns(activities, [*base, "text"], "activities")
    require_columns(indicators, [*base, "note", "value_raw"], "indicators")
    records: dict[tuple[object, ...], tuple[object, ...]] = {}
    for row, cell in _text_cells(activities, indicators):
        row_year = int(row["fiscal_year"])
        since = int(row.get("period_start") or row_year)
        for sentence in split_sentences(cell if isinstance(cell, str) else ""):
            for year, effect, stated in dated_effects(sentence, row_year, lexicon):
                record = (
                    str(row["city"]),
                    str(row["measure_id"]),
                    row_year if not stated and since < row_year else year,
                    year if stated or since >= row_year else since,
                    str(row["value_kind"]),
                    effect,
                    sentence,
                    str(row["source_file"]),
                    int(row["source_line"]),
                )
                key = (*record[:3], *record[4:6], nfkc(sentence), *record[7:])
                records.setdefault(key, record)
    return _events_frame(records.values())


def natural_key(text: str) -> tuple[object, ...]:
    """Sort key that orders digit runs by value (``no2`` before ``no10``).

    >>> sorted(["no10", "no2", "a"], key=natural_key)
    ['a', 'no2', 'no10']
    """
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def city_rank(city: str) -> int:
    """Position of a city in the project's order (unknown cities last)."""
    return CITIES.index(city) if city in CITIES else len(CITIES)


def _events_frame(records: Iterable[tuple[object, ...]]) -> pd.DataFrame:
    """Events as a frame in a stable order: city order, measure id (natural), year, kind, effect, line."""

    def order(r: tuple[object, ...]) -> tuple[object, ...]:
        """Sort key of one event record."""
        city, measure_id, year, since, kind, effect, evidence, file, line = r
        return (
            city_rank(city),
            city,
            natural_key(measure_id),
            year,
            since,
            kind,
            EFFECTS.index(effect),
            file,
            line,
            evidence,
        )

    rows = sorted(records, key=order)
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({"fiscal_year": "int64", "period_start": "int64", "source_line": "int64"})


def check_events(events: pd.DataFrame) -> None:
    """Stop with a message when an event table breaks its vocabulary or lacks provenance."""
    require_columns(events, EVENT_COLUMNS, "covid_events")
    problems = []
    bad_effects = sorted(set(events["effect"]) - set(EFFECTS))
    if bad_effects:
        problems.append(f"unknown effects {bad_effects}")
    unsourced = events[(events["source_file"] == "") | ~(events["source_line"] >= 1)]
    if not unsourced.empty:
        problems.append(f"{len(unsourced)} events without a source line")
    if events.duplicated().any():
        problems.append(f"{int(events.duplicated().sum())} duplicated events")
    if problems:
        raise ValueError("covid_events: " + "; ".join(problems))
