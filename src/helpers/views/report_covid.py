"""The report's COVID-19 parts: what stalled in the pandemic and what became of it, per city and for the four
cities together. Re-wire here when the COVID analysis tables change."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from helpers import CITIES
from helpers.analysis.covid_text import natural_key
from helpers.analysis.covid_trajectories import MEASURE_LEVEL_INDICATOR, STALLED_STATUSES
from helpers.sources.manifest import CITY_JA
from helpers.views.labels import label_ja
from helpers.views.report_context import ReportContext, Section, join_ja, label_order, year_label
from helpers.views.report_html import (
    fmt_number,
    fmt_value,
    heading,
    join,
    paragraph,
    table,
)


def stalled_rows(trajectories: pd.DataFrame, city: str | None = None) -> pd.DataFrame:
    """The stalled rows (one city or all), in the order the report lists them: status, then measure number."""
    rows = trajectories[trajectories["status"].isin(STALLED_STATUSES)]
    if city is not None:
        rows = rows[rows["city"] == city]
    keys = [
        (CITIES.index(c), STALLED_STATUSES.index(s), natural_key(m), str(i))
        for c, s, m, i in zip(rows["city"], rows["status"], rows["measure_id"], rows["indicator"], strict=True)
    ]
    return rows.iloc[sorted(range(len(rows)), key=keys.__getitem__)]


def stall_counts(trajectories: pd.DataFrame, city: str | None = None) -> dict[str, int]:
    """How many rows stalled, and how many of them recovered, are planned to resume, or are not yet recovered."""
    rows = stalled_rows(trajectories, city)
    counts = {s: int((rows["status"] == s).sum()) for s in STALLED_STATUSES}
    return {"stalled": len(rows), **counts}


def stall_sentence(counts: dict[str, int], subject: str) -> str:
    """One sentence on stalls and recovery.

    >>> stall_sentence({"stalled": 0}, "山形市では")
    '山形市では、コロナ禍で停滞したと判定できる取組・指標はありませんでした。'
    >>> c = {"stalled": 7, "stalled_recovered": 3, "stalled_planned": 1, "stalled_not_recovered": 3}
    >>> stall_sentence(c, "山形市では")
    '山形市では、コロナ禍で停滞した取組・指標が7件あり、そのうち回復が確認できたものが3件、再開の予定が書かれているものが1件、回復が確認できないものが3件です。'
    """
    if not counts["stalled"]:
        return f"{subject}、コロナ禍で停滞したと判定できる取組・指標はありませんでした。"
    return (
        f"{subject}、コロナ禍で停滞した取組・指標が{fmt_number(counts['stalled'])}件あり、"
        f"そのうち回復が確認できたものが{fmt_number(counts['stalled_recovered'])}件、"
        f"再開の予定が書かれているものが{fmt_number(counts['stalled_planned'])}件、"
        f"回復が確認できないものが{fmt_number(counts['stalled_not_recovered'])}件です。"
    )


def _value_with_year(ctx: ReportContext, row: pd.Series, value: str, year: str) -> Markup:
    """``1,779人(2019年度)`` linked to the line the value was read from."""
    if pd.isna(row[value]):
        return Markup("")
    kind = "target" if value == "reference_value" and row["reference_basis"] == "target" else "actual"
    where = ctx.value_line(row["city"], row["measure_id"], row["indicator"], row[year], kind)
    unit = where[2] if where else ""
    shown = f"{fmt_value(row[value])}{unit}"
    when = f"({int(row[year])}年度)" if not pd.isna(row[year]) else ""
    return join([ctx.cite(shown, where[0], where[1]) if where else shown, when])


def movement(ctx: ReportContext, row: pd.Series) -> Markup:
    """基準値 → 最新値 with their years, each value linked to its line; what the judgement rests on otherwise."""
    before = _value_with_year(ctx, row, "reference_value", "reference_year")
    after = _value_with_year(ctx, row, "latest_value", "latest_year")
    if before or after:
        basis = label_ja("reference_basis", row["reference_basis"]) if row["reference_basis"] else ""
        note = Markup(f'<span class="years">基準値は{basis}</span>') if basis else Markup("")
        return join([before or "—", " → ", after or "—", note])
    evidence = label_ja("evidence", row["evidence"]) if row["evidence"] else "記述"
    return join([f"数値なし(判定の根拠は{evidence})"])


def status_cell(row: pd.Series) -> Markup:
    """The judgement and its years."""
    years = []
    if not pd.isna(row["stall_year"]):
        years.append(f"停滞 {int(row['stall_year'])}年度")
    if not pd.isna(row["recovery_year"]):
        years.append(f"回復 {int(row['recovery_year'])}年度")
    shown = Markup(f'<span class="years">{"・".join(years)}</span>') if years else Markup("")
    return join([label_ja("status", row["status"]), shown])


def measure_cell(row: pd.Series) -> Markup:
    """The measure, and the indicator under it when the row is about one indicator."""
    indicator = "" if pd.isna(row["indicator"]) else str(row["indicator"])
    if not indicator or indicator == MEASURE_LEVEL_INDICATOR:
        return join([row["measure"]])
    return join([row["measure"], Markup('<span class="ind">指標:'), indicator, Markup("</span>")])


def quote_cell(ctx: ReportContext, row: pd.Series) -> Markup:
    """The sentence the judgement quotes, linked to its line."""
    quote = "" if pd.isna(row["quote"]) else str(row["quote"])
    if not quote:
        return join(["数値から判定(記述なし)"])
    return ctx.cite(quote, row["source_file"], row["source_line"], "q")


STALL_COLUMNS = ("取組・指標", "判定", "基準値 → 最新値", "資料の記述")


def stall_table(ctx: ReportContext, rows: pd.DataFrame) -> Markup:
    """The stall/recovery list as staff read it: one row per measure or indicator, values and quotes linked."""
    records = [r for _, r in rows.iterrows()]
    frame = pd.DataFrame(
        {
            STALL_COLUMNS[0]: [measure_cell(r) for r in records],
            STALL_COLUMNS[1]: [status_cell(r) for r in records],
            STALL_COLUMNS[2]: [movement(ctx, r) for r in records],
            STALL_COLUMNS[3]: [quote_cell(ctx, r) for r in records],
        },
        columns=list(STALL_COLUMNS),
    )
    return table(frame, css="list cards")


def stall_list_frame(ctx: ReportContext) -> pd.DataFrame:
    """The same list as plain text for the workbook (市 first, the document and line written out)."""
    rows = stalled_rows(ctx.tables["covid_trajectories"])

    def plain(value: object) -> str:
        return "" if pd.isna(value) else str(value)

    def year(value: object) -> object:
        return pd.NA if pd.isna(value) else int(value)

    def indicator(value: object) -> str:
        text = plain(value)
        return "" if text == MEASURE_LEVEL_INDICATOR else text

    return pd.DataFrame(
        {
            "市": rows["city"].map(CITY_JA),
            "取組": rows["measure"],
            "指標": rows["indicator"].map(indicator),
            "判定": rows["status"].map(lambda s: label_ja("status", s)),
            "停滞の年度": rows["stall_year"].map(year),
            "回復の年度": rows["recovery_year"].map(year),
            "基準値": rows["reference_value"],
            "基準の年度": rows["reference_year"].map(year),
            "基準値の種類": rows["reference_basis"].map(lambda s: label_ja("reference_basis", s)),
            "最新値": rows["latest_value"],
            "最新の年度": rows["latest_year"].map(year),
            "判定の根拠": rows["evidence"].map(lambda s: label_ja("evidence", s)),
            "資料の記述": rows["quote"].map(plain),
            "資料": rows["source_file"].map(lambda f: ctx.doc_label(f) if f else ""),
            "行": rows["source_line"].map(year),
        }
    ).reset_index(drop=True)


def covid_overall_sentences(ctx: ReportContext) -> list[str]:
    """The four cities together: stalled, not stalled, not judgeable."""
    trajectories = ctx.tables["covid_trajectories"]
    counts = stall_counts(trajectories)
    start, end = ctx.window
    not_stalled = int((trajectories["status"] == "not_stalled").sum())
    unknown = int((trajectories["status"] == "insufficient_data").sum())
    return [
        f"{len(ctx.cities)}市を合わせると、コロナ禍({start}〜{end}年度)に停滞した取組・指標は"
        f"{fmt_number(counts['stalled'])}件で、そのうち{year_label(ctx.fiscal_year)}までに回復が確認できたものは"
        f"{fmt_number(counts['stalled_recovered'])}件です。",
        f"停滞が見られなかったものは{fmt_number(not_stalled)}件、"
        f"比べられる数値や記述がなく判定できなかったものは{fmt_number(unknown)}件です。",
    ]


def status_table(trajectories: pd.DataFrame, cities: Sequence[str]) -> Markup:
    """市 × 判定 counts, with a total row."""
    statuses = [s for s in label_order("status") if s in set(trajectories["status"]) or s in STALLED_STATUSES]
    rows = []
    for city in [*cities, ""]:
        part = trajectories if not city else trajectories[trajectories["city"] == city]
        row: dict[str, object] = {"市": CITY_JA[city] if city else f"{len(cities)}市の計"}
        row.update({label_ja("status", s): int((part["status"] == s).sum()) for s in statuses})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return table(frame, numeric=[label_ja("status", s) for s in statuses], css="cards")


def sensitivity_sentence(sensitivity: pd.DataFrame, drop: float, share: float) -> str:
    """How far the stalled and recovered counts move when the two thresholds move."""
    stalled = sensitivity[sensitivity["status"].isin(STALLED_STATUSES)]
    totals = stalled.groupby(["drop_threshold", "recovery_share"])["n_rows"].sum()
    recovered = (
        sensitivity[sensitivity["status"] == "stalled_recovered"]
        .groupby(["drop_threshold", "recovery_share"])["n_rows"]
        .sum()
        .reindex(totals.index, fill_value=0)
    )
    if totals.empty:
        return ""
    drops = sorted(sensitivity["drop_threshold"].unique())
    shares = sorted(sensitivity["recovery_share"].unique())
    return (
        f"停滞とみなす減少の幅を{fmt_number(drops[0] * 100)}〜{fmt_number(drops[-1] * 100)}%、"
        f"回復とみなす割合を{fmt_number(shares[0] * 100)}〜{fmt_number(shares[-1] * 100)}%の間で変えると、"
        f"停滞の件数は{fmt_number(int(totals.min()))}〜{fmt_number(int(totals.max()))}件、"
        f"そのうち回復の件数は{fmt_number(int(recovered.min()))}〜{fmt_number(int(recovered.max()))}件の間で動きます"
        f"(この報告書の基準は、減少{fmt_number(drop * 100)}%・回復{fmt_number(share * 100)}%です)。"
    )


def sensitivity_table(sensitivity: pd.DataFrame) -> Markup:
    """Stalled (recovered) counts for each pair of thresholds: drop down the side, recovery share across."""
    stalled = sensitivity[sensitivity["status"].isin(STALLED_STATUSES)]
    totals = stalled.groupby(["drop_threshold", "recovery_share"])["n_rows"].sum()
    recovered = sensitivity[sensitivity["status"] == "stalled_recovered"].set_index(
        ["drop_threshold", "recovery_share"]
    )["n_rows"]
    shares = sorted(sensitivity["recovery_share"].unique())
    rows = []
    for drop in sorted(sensitivity["drop_threshold"].unique()):
        row: dict[str, object] = {"停滞とみなす減少": f"{fmt_number(drop * 100)}%以上"}
        for share in shares:
            total = int(totals.get((drop, share), 0))
            back = int(recovered.get((drop, share), 0))
            row[f"回復{fmt_number(share * 100)}%"] = f"{total}件(回復{back})"
        rows.append(row)
    return table(pd.DataFrame(rows), caption="停滞の件数(そのうち回復の件数)", css="cards")


def covid_figures(ctx: ReportContext) -> list[Markup]:
    """The COVID figures, each followed by what it shows (computed from the tables)."""
    t = ctx.tables
    trajectories, events = t["covid_trajectories"], t["covid_events"]
    per_city = stalled_rows(trajectories).groupby("city").size()
    ranked = sorted(per_city.items(), key=lambda kv: (-kv[1], CITIES.index(kv[0])))
    most = f"停滞の件数が最も多いのは{CITY_JA[ranked[0][0]]}({ranked[0][1]}件)です。" if ranked else ""
    figures = [
        ctx.figure(
            "covid_status_by_city",
            "市ごとの判定(取組・指標の件数)",
            [most, "判定できなかったものには、比べられる年度の数値や記述がない取組が含まれます。"],
        )
    ]
    results = events[events["value_kind"] != "plan"]
    results = results.drop_duplicates(["city", "measure_id", "fiscal_year", "effect", "evidence"])
    by_year = results.groupby("fiscal_year").size()
    by_effect = results.groupby("effect").size().sort_values(ascending=False, kind="stable")
    if not by_year.empty:
        peak = int(by_year.idxmax())
        effect = str(by_effect.index[0])
        figures.append(
            ctx.figure(
                "covid_timeline",
                "資料に書かれたコロナ禍の影響(年度別・種類別)",
                [
                    f"実績の欄にある影響の記述は{fmt_number(len(results))}件で、最も多いのは{peak}年度"
                    f"({int(by_year.max())}件)です。種類では「{label_ja('effect', effect)}」が"
                    f"{int(by_effect.iloc[0])}件と最も多くなっています。"
                ],
            )
        )
    numeric = stalled_rows(trajectories)
    numeric = numeric[
        numeric["evidence"].str.split("+").map(lambda kinds: "numeric" in kinds)
        & (numeric["reference_value"].fillna(0) > 0)
    ]
    share = fmt_number(ctx.recovery_share * 100)
    figures.append(
        ctx.figure(
            "covid_indexed_series",
            "数値で停滞が確認できた指標の動き(基準値を100とした値)",
            [
                f"グラフにした{fmt_number(len(numeric))}件の指標のうち、"
                f"{fmt_number(int((numeric['status'] == 'stalled_recovered').sum()))}件を"
                f"「{label_ja('status', 'stalled_recovered')}」と判定しています"
                f"(回復とみなすのは、基準値の{share}%以上に戻った場合です)。"
            ],
        )
    )
    graded = t["evaluations"][t["evaluations"]["grade"].isin(("C", "D"))]
    if not graded.empty and (ctx.figures_dir / "covid_shiroi_grades.png").is_file():
        per_year = graded.groupby("fiscal_year").size()
        cities = join_ja([CITY_JA[c] for c in ctx.cities if c in set(graded["city"])])
        listed = "、".join(f"{int(y)}年度{int(n)}件" for y, n in per_year.items())
        figures.append(
            ctx.figure(
                "covid_shiroi_grades",
                f"{cities}の自己評価(A〜D)の推移",
                [f"評価がCまたはD(遅れ・未実施)の取組は、{listed}です。"],
            )
        )
    return figures


def covid_section(ctx: ReportContext) -> Section:
    """The four cities compared on the COVID question: counts, figures, and how the thresholds matter."""
    t = ctx.tables
    sensitivity = sensitivity_sentence(t["covid_sensitivity"], ctx.drop_threshold, ctx.recovery_share)
    body = join(
        [
            paragraph(*covid_overall_sentences(ctx)),
            status_table(t["covid_trajectories"], ctx.cities),
            *covid_figures(ctx),
            heading("判定の基準を変えた場合", 3, "covid-sensitivity"),
            paragraph(sensitivity),
            sensitivity_table(t["covid_sensitivity"]),
        ]
    )
    return Section(
        "covid", "4市の比較:コロナ禍での停滞と回復", body, (("covid-sensitivity", "判定の基準を変えた場合"),)
    )
