"""Which activity a pandemic sentence speaks of, and which series it speaks for.

A sentence's effect attaches only to what it names: the series whose own cell holds it, the series whose label it
names (normalised label overlap), or else an activity of its own (a row with no number: 一関市's ■ bullets, 山口市's
実施状況 items). What automatic linking gets wrong is corrected in a reviewed link file
(``lexicons/covid_links.csv``): for a sentence (file, line and a fragment of it) the activity it names, the
series it speaks for (``|``-separated indicator labels, empty for none), the words that name it in a later plan
(``plan_key``) and, where one sentence names several activities, the fragment that speaks of each (its effects are
read on the fragment, in the pandemic context of the whole sentence). Activity ``-`` drops a sentence that names no
activity.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from helpers.analysis.covid_series import Series
from helpers.analysis.covid_text import (
    DERIVED_EFFECTS,
    Lexicon,
    activity_names,
    dated_effects,
    has_covid_context,
)
from helpers.core.text import nfkc

LINKS_FILE = "covid_links.csv"
"""File name of the reviewed link file inside the package's ``lexicons`` folder."""

DROP = "-"
"""Activity value of a link row that drops the sentence (it names no activity of the measure)."""

_GENERIC = re.compile(
    r"(の)?(開催|実施)?(回数|件数|人数|者数|数|延べ|実|年間|支援|状況|の開催|の実施|開催数|実施数|参加|参加者)+$"
)
"""Generic endings removed from a label before looking for it in a sentence (研修会の実施回数 → 研修会)."""
_BRACKETS = re.compile(r"[(（〔\[][^)）〕\]]*[)）〕\]]")
MIN_CORE = 3
"""Characters a label's core needs before it is looked for in a sentence (会議 alone names a kind, not one)."""


@dataclass(frozen=True)
class LinkRule:
    """One reviewed row of the link file."""

    city: str
    source_file: str
    source_line: int
    fragment: str
    activity: str
    indicators: tuple[str, ...]
    plan_key: str
    comment: str


@dataclass(frozen=True)
class Mention:
    """A pandemic sentence (or the fragment of it that speaks of one activity), its effects by year, where it stands
    and what it speaks for: the activity and the series (indicator labels) it is linked to."""

    city: str
    measure_id: str
    value_kind: str
    year: int
    sentence: str
    fragment: str
    source_file: str
    source_line: int
    effects: tuple[tuple[int, str], ...]
    activity: str
    indicators: tuple[str, ...]
    linked_by: str
    """``link_file``, ``cell`` (the sentence stands in the series' own cell), ``label`` or ``none``."""
    plan_key: str = ""
    """Words that name the activity in a later plan, where they differ from its label."""
    period_start: int | None = None
    """First year of the span a text reviewing several years covers (None: the text speaks of ``year``)."""
    unstated: tuple[str, ...] = ()
    """Effects the sentence dates by no year in such a text: they belong to the span, not to ``year``."""


@functools.lru_cache(maxsize=1)
def load_links() -> tuple[LinkRule, ...]:
    """The reviewed link rows.

    >>> all(r.source_line >= 1 and r.fragment for r in load_links())
    True
    """
    text = resources.files("helpers").joinpath("lexicons", LINKS_FILE).read_text(encoding="utf-8")
    return tuple(
        LinkRule(
            city=row["city"],
            source_file=row["source_file"],
            source_line=int(row["source_line"]),
            fragment=row["fragment"],
            activity=row["activity"],
            indicators=tuple(i for i in row["indicators"].split("|") if i),
            plan_key=row["plan_key"],
            comment=row["comment"],
        )
        for row in csv.DictReader(text.splitlines())
    )


def label_core(label: str) -> str:
    """A label without brackets and generic endings, for looking it up in a sentence.

    >>> label_core("研修会の実施回数"), label_core("担い手養成研修会参加者数")
    ('研修会', '担い手養成研修会')
    >>> label_core("サロン代表者交流会議参加団体数")
    'サロン代表者交流会議参加団体'
    """
    core = _BRACKETS.sub("", nfkc(label)).strip()
    previous = None
    while previous != core:
        previous, core = core, _GENERIC.sub("", core).strip()
    return core


def names_series(sentence: str, series: Series, lexicon: Lexicon) -> bool:
    """Whether a sentence names a series: the label's core stands in the sentence, or an activity the sentence
    names stands in the label."""
    text = nfkc(sentence)
    core = label_core(series.indicator)
    if len(core) >= MIN_CORE and core in text:
        return True
    label = nfkc(series.indicator)
    return any(len(name) >= MIN_CORE and name in label for name in activity_names(sentence, lexicon))


def default_activity(sentence: str, lexicon: Lexicon) -> str:
    """A label for the activity of a sentence no series speaks for: its longest named activity, else its opening
    words (the link file names the activity where this is not good enough)."""
    names = activity_names(sentence, lexicon)
    if names:
        return max(names, key=lambda n: (len(n), n))
    text = re.sub(r"^[※・■\s①-⑳]+", "", sentence)
    return text[:24] + ("…" if len(text) > 24 else "")


def _rules_for(rules: Sequence[LinkRule], city: str, file: str, line: int, sentence: str) -> list[LinkRule]:
    """Link rows for a sentence: same city, file and line, and their fragment stands in the sentence."""
    key = nfkc(sentence)
    return [
        r
        for r in rules
        if r.city == city and r.source_file == file and r.source_line == line and nfkc(r.fragment) in key
    ]


def link_mentions(
    events: pd.DataFrame, series: Sequence[Series], lexicon: Lexicon, rules: Sequence[LinkRule] | None = None
) -> list[Mention]:
    """Every pandemic sentence of the events table as mentions, each linked to its activity and series.

    A sentence with link rows becomes one mention per row, its effects read on the row's fragment (the sentence
    still supplies the pandemic context). Otherwise it links to the series whose own cell holds it, else to the
    series of its measure it names, else to none (an activity of its own).
    """
    rules = load_links() if rules is None else rules
    by_measure: dict[tuple[str, str], list[Series]] = {}
    for s in series:
        by_measure.setdefault((s.city, s.measure_id), []).append(s)
    sentences = events.drop_duplicates(["city", "measure_id", "value_kind", "evidence", "source_file", "source_line"])
    mentions = []
    for row in sentences.to_dict("records"):
        city, measure_id, sentence = str(row["city"]), str(row["measure_id"]), str(row["evidence"])
        file, line, kind = str(row["source_file"]), int(row["source_line"]), str(row["value_kind"])
        year, since = events_row_years(events, row)
        span = since < year
        base = dict(city=city, measure_id=measure_id, value_kind=kind, year=year, sentence=sentence)
        base |= dict(source_file=file, source_line=line, period_start=since if span else None)
        matched = _rules_for(rules, city, file, line, sentence)
        if matched:
            for r in matched:
                if r.activity == DROP:
                    continue
                dated = _fragment_effects(sentence, r.fragment, year, lexicon)
                mentions.append(
                    Mention(
                        **base,
                        fragment=r.fragment,
                        effects=tuple((y, e) for y, e, _ in dated),
                        unstated=_unstated(dated) if span else (),
                        activity=r.activity,
                        indicators=r.indicators,
                        linked_by="link_file",
                        plan_key=r.plan_key,
                    )
                )
            continue
        dated = tuple(dated_effects(sentence, year, lexicon))
        siblings = by_measure.get((city, measure_id), [])
        owners = [s for s in siblings if (file, line) in s.lines and nfkc(sentence) in s.cells]
        named = owners or [s for s in siblings if names_series(sentence, s, lexicon)]
        linked_by = "cell" if owners else ("label" if named else "none")
        activity = named[0].indicator if len(named) == 1 else default_activity(sentence, lexicon)
        mentions.append(
            Mention(
                **base,
                fragment=sentence,
                effects=tuple((y, e) for y, e, _ in dated),
                unstated=_unstated(dated) if span else (),
                activity=activity,
                indicators=tuple(s.indicator for s in named),
                linked_by=linked_by,
            )
        )
    return sorted(mentions, key=lambda m: (m.city, m.measure_id, m.source_file, m.source_line, m.fragment, m.activity))


def events_row_years(events: pd.DataFrame, row: dict[str, object]) -> tuple[int, int]:
    """The fiscal year of the row a sentence stands on (the latest year any of its events is dated to when the
    sentence looks back: its events may be dated earlier, and the column's year is the latest) and the first year
    of the span its text reviews (an event dated to a span starts it; else the row's year)."""
    same = events[
        (events["city"] == row["city"])
        & (events["measure_id"] == row["measure_id"])
        & (events["evidence"] == row["evidence"])
        & (events["source_line"] == row["source_line"])
        & (events["value_kind"] == row["value_kind"])
    ]
    year = int(same["fiscal_year"].max())
    if "period_start" not in same:
        return year, year
    spans = same.loc[same["period_start"] < same["fiscal_year"], "period_start"]
    return year, int(spans.min()) if len(spans) else year


def _unstated(dated: Iterable[tuple[int, str, bool]]) -> tuple[str, ...]:
    """The effects a sentence gives no year for."""
    return tuple(sorted({e for _, e, stated in dated if not stated}))


def _fragment_effects(sentence: str, fragment: str, year: int, lexicon: Lexicon) -> tuple[tuple[int, str, bool], ...]:
    """Effects of a fragment (year, effect, year stated), with the pandemic context of the whole sentence when the
    fragment lacks one."""
    own = dated_effects(fragment, year, lexicon)
    if any(effect not in DERIVED_EFFECTS for _, effect, _ in own):
        return tuple(own)
    context = "新型コロナ " if has_covid_context(sentence, lexicon) else ""
    found = dated_effects(context + fragment, year, lexicon) if context else own
    return tuple(found) if found else ((year, "mentioned", False),)


def mentions_frame(mentions: Iterable[Mention]) -> pd.DataFrame:
    """Mentions as a table for review (one row per mention, effects joined)."""
    rows = [
        {
            "city": m.city,
            "measure_id": m.measure_id,
            "year": m.year,
            "value_kind": m.value_kind,
            "activity": m.activity,
            "indicators": " | ".join(m.indicators),
            "linked_by": m.linked_by,
            "effects": ", ".join(f"{e} {y}" for y, e in m.effects),
            "fragment": m.fragment,
            "source": f"{m.source_file}:{m.source_line}",
        }
        for m in mentions
    ]
    return pd.DataFrame(rows)
