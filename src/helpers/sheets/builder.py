"""The bookkeeping every sheet parser shares, so that a format module holds only its format's reading logic.

A parser creates one :class:`SheetBuilder` per document and hands it what it read: quirks (each naming a raw
line), the fate of every numeric token (coverage), listings, activities, observations and evaluations. The
builder applies the rules the contract sets once for all formats and finishes into a :class:`ParsedSheet`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from helpers.core.text import NOTE_SEPARATOR
from helpers.sheets.records import Activity, CoverageItem, Evaluation, MeasureListing, Observation, ParsedSheet

COVERAGE_ORDERS: tuple[str, ...] = ("position", "recorded")
"""How coverage items are listed within the document: by line and position, or by line in the order recorded."""
QUIRK_ORDERS: tuple[str, ...] = ("recorded", "line")
"""How quirks are listed: in the order first met, or by the line they name."""


def note_text(notes: list[str] | tuple[str, ...]) -> str:
    """Notes joined as every record writes them: in order, without repeats or empty ones.

    >>> note_text(["中止", "", "中止", "(5)"])
    '中止; (5)'
    """
    return NOTE_SEPARATOR.join(dict.fromkeys(n for n in notes if n))


@dataclass(kw_only=True)
class Draft:
    """An observation under construction: a parser changes its notes, year or basis until it is kept.

    A format's own draft subclasses it with what it needs to settle the draft (its block, its tokens …); ``observe``
    keeps only these fields, with ``notes`` joined by :func:`note_text`."""

    measure_id: str = ""
    measure: str = ""
    indicator: str = ""
    fiscal_year: int | None = None
    """None until the year is known (a target whose report year comes later)."""
    value_kind: str = "actual"
    value: float | None = None
    unit: str = ""
    value_raw: str = ""
    source_line: int = 0
    goal: str = ""
    direction: str = ""
    policy: str = ""
    department: str = ""
    actor: str = ""
    count_basis: str = ""
    notes: list[str] = field(default_factory=list)
    series_break: bool = False
    year_basis: str = ""
    value_origin: str = "table"


_DRAFT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Draft) if f.name != "notes")


@dataclass
class SheetBuilder:
    """The records of one document as a parser finds them; ``finish`` returns the ParsedSheet."""

    city: str
    source_file: str
    lines: list[str] = field(default_factory=list)
    """The document's lines (index ``i`` is line ``i + 1``), for parsers that quote a token by its position."""
    coverage_order: str = "position"
    observations: list[Observation] = field(default_factory=list)
    measures: list[MeasureListing] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    _coverage: dict[tuple[int, int], CoverageItem] = field(default_factory=dict)
    _quirks: dict[str, tuple[str, list[int]]] = field(default_factory=dict)
    _activity_texts: set[tuple[str, str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.coverage_order not in COVERAGE_ORDERS:
            raise ValueError(f"coverage_order must be one of {COVERAGE_ORDERS}, not {self.coverage_order!r}")

    # ------------------------------------------------------------ quirks

    def quirk(self, text: str, line: int, *, kind: str = "") -> None:
        """Note a quirk this document shows at ``line``; ``kind`` groups quirks whose text varies (first text kept)."""
        self._quirks.setdefault(kind or text, (text, []))[1].append(line)

    def quirk_lines(self, *, order: str = "recorded", counts: bool = False) -> list[str]:
        """One line per quirk naming its first line (or, with ``counts``, its earliest line and how many)."""
        if order not in QUIRK_ORDERS:
            raise ValueError(f"order must be one of {QUIRK_ORDERS}, not {order!r}")
        shown = [(text, min(lines) if counts else lines[0], len(lines)) for text, lines in self._quirks.values()]
        if order == "line":
            shown.sort(key=lambda quirk: quirk[1])
        if counts:
            return [f"{text} (e.g. line {line}; {n}×)" for text, line, n in shown]
        return [f"{text} (e.g. line {line})" for text, line, _ in shown]

    # ------------------------------------------------------------ coverage

    def cover(self, line: int, start: int, token: str, outcome: str, reason: str = "", region: str = "") -> None:
        """Record what became of the numeric token starting at column ``start`` of ``line``.

        One rule for an occurrence recorded twice: an ``observation`` replaces a ``skipped`` (the token was read
        after all); otherwise the first record stands, so a second skip never rewrites the first reason.
        """
        item = CoverageItem(self.city, self.source_file, line, token, outcome, reason, region)
        first = self._coverage.get((line, start))
        if first is None or (outcome == "observation" and first.outcome != "observation"):
            self._coverage[(line, start)] = item

    def covered(self, line: int, start: int) -> CoverageItem | None:
        """The coverage item of the token at ``start`` of ``line``, if one is recorded."""
        return self._coverage.get((line, start))

    def uncover(self, line: int, start: int) -> None:
        """Forget the record of a token whose reading is redone (the next ``cover`` decides anew)."""
        self._coverage.pop((line, start), None)

    # ------------------------------------------------------------ records

    def listing(self, measure_id: str, measure: str, line: int, **fields: Any) -> MeasureListing:
        """List a measure at ``line`` (goal, direction, policy, department, actor, is_repeat as keywords)."""
        listing = MeasureListing(self.city, measure_id, measure, self.source_file, line, **fields)
        self.measures.append(listing)
        return listing

    def activity(
        self,
        measure_id: str,
        fiscal_year: int,
        value_kind: str,
        text: str,
        line: int,
        *,
        once: bool = False,
        **fields: Any,
    ) -> Activity:
        """Keep a narrative item (department, actor, section as keywords); with ``once``, an item whose text the
        measure already holds in the same section is not kept again."""
        activity = Activity(self.city, measure_id, fiscal_year, value_kind, text, self.source_file, line, **fields)
        seen = (measure_id, activity.section, text)
        if once and seen in self._activity_texts:
            return activity
        self._activity_texts.add(seen)
        self.activities.append(activity)
        return activity

    def draft(self, **fields: Any) -> Observation:
        """An Observation of this document not yet kept (``notes``: a list joined by :func:`note_text`)."""
        notes = fields.pop("notes", None)
        if notes is not None:
            fields["note"] = note_text(notes)
        return Observation(city=self.city, source_file=self.source_file, **fields)

    def observe(self, observation: Observation | Draft) -> Observation:
        """Keep an observation (made by ``draft``, or a format's Draft settled)."""
        if isinstance(observation, Draft):
            if observation.fiscal_year is None:
                raise ValueError(f"line {observation.source_line}: no fiscal year for {observation.value_raw!r}")
            values = {name: getattr(observation, name) for name in _DRAFT_FIELDS}
            observation = self.draft(**values, notes=observation.notes)
        self.observations.append(observation)
        return observation

    def observation(self, **fields: Any) -> Observation:
        """Draft and keep an observation in one step."""
        return self.observe(self.draft(**fields))

    def evaluation(
        self, measure_id: str, fiscal_year: int, grade: str, progress: str, line: int, **fields: Any
    ) -> Evaluation:
        """Keep a graded self-evaluation."""
        evaluation = Evaluation(self.city, measure_id, fiscal_year, grade, progress, self.source_file, line, **fields)
        self.evaluations.append(evaluation)
        return evaluation

    # ------------------------------------------------------------ finish

    def coverage(self) -> list[CoverageItem]:
        """The coverage items in the builder's order."""
        if self.coverage_order == "recorded":
            return sorted(self._coverage.values(), key=lambda item: item.source_line)
        return [self._coverage[k] for k in sorted(self._coverage)]

    def finish(
        self, *, quirk_order: str = "recorded", quirk_counts: bool = False, notes: tuple[str, ...] = ()
    ) -> ParsedSheet:
        """The ParsedSheet of the document; ``notes`` are quirk lines naming no single line (appended as given)."""
        return ParsedSheet(
            source_file=self.source_file,
            observations=list(self.observations),
            measures=list(self.measures),
            evaluations=list(self.evaluations),
            activities=list(self.activities),
            coverage=self.coverage(),
            quirks=[*self.quirk_lines(order=quirk_order, counts=quirk_counts), *notes],
        )
