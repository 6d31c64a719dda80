"""The report's COVID-19 parts: what stalled in the pandemic and what became of it, per city and for the four
cities together. Re-wire here when the COVID analysis tables change."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from helpers import CITIES
from helpers.analysis.covid_text import natural_key
from helpers.analysis.covid_trajectories import ATTRIBUTIONS, STALLED_STATUSES, attribution_counts, sensitivity_summary
from helpers.core.text import nfkc
from helpers.sources.manifest import CITY_JA
from helpers.views.labels import label_ja
from helpers.views.report_context import ReportContext, Section, label_order, year_label
from helpers.views.report_html import (
    fmt_number,
    fmt_value,
    heading,
    join,
    paragraph,
    small,
    table,
)


def stalled_rows(trajectories: pd.DataFrame, city: str | None = None) -> pd.DataFrame:
    """The stalled rows (one city or all), in the order the report lists them: city, status, measure number."""
    rows = trajectories[trajectories["status"].isin(STALLED_STATUSES)]
    if city is not None:
        rows = rows[rows["city"] == city]
    keys = [
        (CITIES.index(c), STALLED_STATUSES.index(s), natural_key(m), str(a))
        for c, s, m, a in zip(rows["city"], rows["status"], rows["measure_id"], rows["activity"], strict=True)
    ]
    return rows.iloc[sorted(range(len(rows)), key=keys.__getitem__)]


def stall_counts(trajectories: pd.DataFrame, city: str | None = None) -> dict[str, int]:
    """How many activities stalled, by what became of them and by who ties them to the pandemic."""
    rows = stalled_rows(trajectories, city)
    counts = {s: int((rows["status"] == s).sum()) for s in STALLED_STATUSES}
    ties = {a: int((rows["attribution"] == a).sum()) for a in ATTRIBUTIONS}
    return {"stalled": len(rows), **counts, **ties}


def stall_sentence(counts: dict[str, int], subject: str) -> str:
    """One sentence on stalls and recovery, both kinds of attribution counted (``subject`` may be empty).

    >>> stall_sentence({"stalled": 0}, "山形市では")
    '山形市では、コロナ禍で停滞したと判定できる取組はありませんでした。'
    >>> c = {"stalled": 7, "sheet": 5, "timing": 2, "stalled_recovered": 3, "stalled_planned": 1,
    ...      "stalled_not_recovered": 0, "stalled_recovery_not_observed": 3}
    >>> print(stall_sentence(c, "山形市では"))
    山形市では、コロナ禍で停滞した取組が7件で、資料がコロナの影響と明記しているものが5件、時期と数値・評価の推移から判断したものが2件です。そのうち回復が確認できたものが3件、再開の予定が書かれているものが1件、後の年度の報告がなく回復を確認できないものが3件です。
    """
    lead = f"{subject}、" if subject else ""
    if not counts["stalled"]:
        return f"{lead}コロナ禍で停滞したと判定できる取組はありませんでした。"
    outcomes = [
        ("stalled_recovered", "回復が確認できたもの"),
        ("stalled_planned", "再開の予定が書かれているもの"),
        ("stalled_not_recovered", "後の年度も下がったままのもの"),
        ("stalled_recovery_not_observed", "後の年度の報告がなく回復を確認できないもの"),
    ]
    parts = [f"{name}が{fmt_number(counts[s])}件" for s, name in outcomes if counts.get(s)]
    sheet, timing = fmt_number(counts["sheet"]), fmt_number(counts["timing"])
    ties = (
        f"資料がコロナの影響と明記しているものが{sheet}件、時期と数値・評価の推移から判断したものが{timing}件"
        if counts["sheet"] and counts["timing"]
        else "すべて資料がコロナの影響と明記しているもの"
        if counts["sheet"]
        else "すべて時期と数値・評価の推移から判断したもの"
    )
    return (
        f"{lead}コロナ禍で停滞した取組が{fmt_number(counts['stalled'])}件で、{ties}です。"
        f"そのうち{'、'.join(parts)}です。"
    )


def _value(ctx: ReportContext, row: pd.Series, value: str, year: str) -> Markup:
    """``1,779人(2019年度)`` with the value linked to the line it was read from. A value the sheet writes as a word
    (実施なし, read as 0) links that word: ``実施なし(0とみなす、2021年度)``."""
    if pd.isna(row[value]):
        return Markup("")
    where = ctx.value_line(row["city"], row["measure_id"], row["indicator"], row[year], "actual")
    unit = where[2] if where else ""
    shown = f"{fmt_value(row[value])}{unit}"
    when = f"{int(row[year])}年度" if not pd.isna(row[year]) else ""
    if where and where[3] and not any(ch.isdigit() for ch in nfkc(where[3])):
        word = where[3].split()[0]
        return join(
            [ctx.cite(word, where[0], where[1]), f"({shown}とみなす、{when})" if when else f"({shown}とみなす)"]
        )
    return join([ctx.cite(shown, where[0], where[1]) if where else shown, f"({when})" if when else ""])


def movement(ctx: ReportContext, row: pd.Series) -> Markup:
    """基準値 → 最新値 with their years, each value linked to its line; what the reference is."""
    before = _value(ctx, row, "reference_value", "reference_year")
    after = _value(ctx, row, "latest_value", "latest_year")
    if not before and not after:
        return join(["数値なし(資料の記述から判定)"])
    basis = label_ja("reference_basis", row["reference_basis"]) if row["reference_basis"] else ""
    note = Markup(f'<span class="years">基準値は{basis}</span>') if basis else Markup("")
    same = before and row["reference_year"] == row["latest_year"] and row["reference_value"] == row["latest_value"]
    if same:
        return join(["基準値・最新値とも ", after, note])
    return join([before or "基準値なし", " → ", after or "—", note])


def status_cell(row: pd.Series) -> Markup:
    """The judgement, who ties it to the pandemic, and its years."""
    years = []
    if not pd.isna(row["stall_year"]):
        years.append(f"停滞 {int(row['stall_year'])}年度")
    elif str(row["status"]).startswith("stalled"):
        years.append("停滞の年度は記載なし")
    if not pd.isna(row["recovery_year"]):
        years.append(f"回復 {int(row['recovery_year'])}年度")
    shown = Markup(f'<span class="years">{"・".join(years)}</span>') if years else Markup("")
    tie = label_ja("attribution", row["attribution"]) if row["attribution"] else ""
    tied = Markup(f'<span class="years">{tie}</span>') if tie else Markup("")
    return join([label_ja("status", row["status"]), tied, shown])


def measure_cell(row: pd.Series) -> Markup:
    """The activity, and the plan's measure it belongs to when the names differ."""
    activity = str(row["activity"]) if row["activity"] else str(row["measure"])
    if not row["measure"] or str(row["measure"]) == activity:
        return join([activity])
    return join([activity, Markup('<span class="ind">取組:'), row["measure"], Markup("</span>")])


def evidence_link(ctx: ReportContext, quote: str, source_file: str, line: object) -> Markup:
    """A piece of evidence linked to its line: a sentence as quoted; a value or grade the analysis wrote as
    ``2020年度 0回`` / ``2020年度 評価D`` as the value (or grade) itself, with its year after it."""
    year, _, token = quote.partition("年度 ")
    if not (year.isdigit() and len(year) == 4 and token):
        return ctx.cite(quote, source_file, line, "q")
    if token.startswith("評価"):
        return join(["評価", ctx.cite(token.removeprefix("評価"), source_file, line), f"({year}年度)"])
    return join([ctx.cite(token, source_file, line), f"({year}年度)"])


def stall_evidence_cell(ctx: ReportContext, row: pd.Series) -> Markup:
    """The sentence or value that shows the stall, linked to its line."""
    if not row["quote"]:
        return join(["—"])
    return evidence_link(ctx, str(row["quote"]), row["source_file"], row["source_line"])


def recovery_evidence_cell(ctx: ReportContext, row: pd.Series) -> Markup:
    """The sentence, value or plan that shows the recovery (or the plan to resume), linked to its line."""
    if not row["recovery_quote"]:
        return join(["後の年度の記述・数値なし"])
    return evidence_link(ctx, str(row["recovery_quote"]), row["recovery_file"], row["recovery_line"])


STALL_COLUMNS = (
    "取組",
    "判定",
    "基準値 → 最新値",
    "停滞の根拠(資料の記述・数値)",
    "その後の根拠(回復・再開予定・停滞の続き)",
)


def stall_table(ctx: ReportContext, rows: pd.DataFrame) -> Markup:
    """The stall/recovery list as staff read it: one row per activity, values and both pieces of evidence linked."""
    records = [r for _, r in rows.iterrows()]
    frame = pd.DataFrame(
        {
            STALL_COLUMNS[0]: [measure_cell(r) for r in records],
            STALL_COLUMNS[1]: [status_cell(r) for r in records],
            STALL_COLUMNS[2]: [movement(ctx, r) for r in records],
            STALL_COLUMNS[3]: [stall_evidence_cell(ctx, r) for r in records],
            STALL_COLUMNS[4]: [recovery_evidence_cell(ctx, r) for r in records],
        },
        columns=list(STALL_COLUMNS),
    )
    return table(frame, css="list cards")


def stall_list_frame(ctx: ReportContext) -> pd.DataFrame:
    """The same list as plain text for the workbook (市 first, the documents and lines written out)."""
    rows = stalled_rows(ctx.tables["covid_trajectories"])

    def plain(value: object) -> str:
        return "" if pd.isna(value) else str(value)

    def year(value: object) -> object:
        return pd.NA if pd.isna(value) else int(value)

    def doc(value: object) -> str:
        return ctx.doc_label(str(value)) if plain(value) else ""

    return pd.DataFrame(
        {
            "市": rows["city"].map(CITY_JA),
            "取組": rows["measure"],
            "活動・指標": rows["activity"],
            "判定": rows["status"].map(lambda s: label_ja("status", s)),
            "コロナとの関係": rows["attribution"].map(lambda s: label_ja("attribution", s)),
            "停滞の年度": rows["stall_year"].map(year),
            "回復の年度": rows["recovery_year"].map(year),
            "基準値": rows["reference_value"],
            "基準の年度": rows["reference_year"].map(year),
            "基準値の種類": rows["reference_basis"].map(lambda s: label_ja("reference_basis", s)),
            "最新値": rows["latest_value"],
            "最新の年度": rows["latest_year"].map(year),
            "停滞の根拠": rows["quote"].map(plain),
            "停滞の根拠の資料": rows["source_file"].map(doc),
            "停滞の根拠の行": rows["source_line"].map(year),
            "その後の根拠": rows["recovery_quote"].map(plain),
            "その後の根拠の資料": rows["recovery_file"].map(doc),
            "その後の根拠の行": rows["recovery_line"].map(year),
        }
    ).reset_index(drop=True)


def covid_overall_sentences(ctx: ReportContext) -> list[str]:
    """The four cities together: stalled (both attributions), recovered, not stalled, delayed, not judgeable."""
    trajectories = ctx.tables["covid_trajectories"]
    counts = stall_counts(trajectories)
    start, end = ctx.window

    def n(status: str) -> str:
        return fmt_number(int((trajectories["status"] == status).sum()))

    return [
        f"{len(ctx.cities)}市を合わせると、コロナ禍({start}〜{end}年度)に停滞した取組は"
        f"{fmt_number(counts['stalled'])}件です。このうち資料がコロナの影響と明記しているものが"
        f"{fmt_number(counts['sheet'])}件、時期と数値・評価の推移から判断したものが{fmt_number(counts['timing'])}件です。",
        f"停滞した取組のうち、{year_label(ctx.fiscal_year)}までに回復が確認できたものは"
        f"{fmt_number(counts['stalled_recovered'])}件、再開の予定が書かれているものは"
        f"{fmt_number(counts['stalled_planned'])}件です。",
        f"停滞が見られなかったものは{n('not_stalled')}件、遅れはあるがコロナとの関係が書かれていないものは"
        f"{n('delayed_cause_not_stated')}件、比べられる数値や記述がなく判定できなかったものは{n('insufficient_data')}件です。",
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
    return table(frame, numeric=[c for c in frame.columns if c != "市"], css="cards")


def attribution_table(trajectories: pd.DataFrame, cities: Sequence[str]) -> Markup:
    """The stalled activities per city by who ties them to the pandemic, with a total row (both are stalls)."""
    ties = attribution_counts(trajectories)
    rows = []
    for city in [*cities, ""]:
        row: dict[str, object] = {"市": CITY_JA[city] if city else f"{len(cities)}市の計"}
        for a in ATTRIBUTIONS:
            row[label_ja("attribution", a)] = int(ties[a].sum()) if not city else int(ties[a].get(city, 0))
        row["停滞した取組の計"] = sum(int(v) for k, v in row.items() if k != "市")
        rows.append(row)
    frame = pd.DataFrame(rows)
    return table(
        frame, numeric=[c for c in frame.columns if c != "市"], caption="停滞した取組とコロナとの関係", css="cards"
    )


def _setting(parameter: str, value: float, start: int) -> str:
    """A parameter's value as the report writes it.

    >>> _setting("drop_threshold", 0.5, 2020), _setting("min_change", 2.0, 2020), _setting("window_end", 2021.0, 2020)
    ('50%', '2', '2020〜2021年度')
    """
    if parameter in ("drop_threshold", "recovery_share"):
        return f"{fmt_number(value * 100)}%"
    if parameter == "window_end":
        return f"{start}〜{int(value)}年度"
    return fmt_number(value)


def sensitivity_frame(sensitivity: pd.DataFrame, start: int) -> pd.DataFrame:
    """One row per setting: the parameter, its value, stalled and recovered activities, the run's own setting."""
    summary = sensitivity_summary(sensitivity)
    recovered = sensitivity[sensitivity["status"] == "stalled_recovered"].set_index(["parameter", "value"])["n_rows"]
    return pd.DataFrame(
        {
            "判定の基準": summary["parameter"].map(lambda p: label_ja("parameter", p)),
            "値": [_setting(p, v, start) for p, v in zip(summary["parameter"], summary["value"], strict=True)],
            "停滞した取組": summary["n_stalled"].astype(int),
            "そのうち回復": [
                int(recovered.get((p, v), 0)) for p, v in zip(summary["parameter"], summary["value"], strict=True)
            ],
            "この報告書の基準": summary["is_run"].map(lambda b: "○" if b else ""),
        }
    )


def sensitivity_sentences(sensitivity: pd.DataFrame) -> list[str]:
    """How far the stalled count moves when each threshold moves alone, and which moves it most."""
    summary = sensitivity_summary(sensitivity)
    if summary.empty:
        return []
    run = summary[summary["is_run"]].groupby("parameter")["n_stalled"].first()
    spans = summary.groupby("parameter", sort=False)["n_stalled"].agg(["min", "max"])
    widest = max(
        spans.index, key=lambda p: (int(spans.loc[p, "max"] - spans.loc[p, "min"]), -list(spans.index).index(p))
    )
    steady = [label_ja("parameter", p) for p in spans.index if spans.loc[p, "min"] == spans.loc[p, "max"]]
    base = int(run.iloc[0]) if not run.empty else 0
    out = [
        f"判定の基準を一つずつ変えると、停滞した取組の件数は{fmt_number(int(spans['min'].min()))}〜"
        f"{fmt_number(int(spans['max'].max()))}件の間で動きます。この報告書の基準では{fmt_number(base)}件です。",
        f"最も大きく動くのは「{label_ja('parameter', widest)}」で、{fmt_number(int(spans.loc[widest, 'min']))}〜"
        f"{fmt_number(int(spans.loc[widest, 'max']))}件です。",
    ]
    if steady:
        out.append(f"「{'」「'.join(steady)}」を変えても、停滞した件数は変わりません。")
    return out


def covid_figures(ctx: ReportContext) -> list[Markup]:
    """The COVID figures, each followed by what it shows (computed from the tables)."""
    from helpers.views.covid_figures import demand_counts  # here: its module imports matplotlib, not needed else

    t = ctx.tables
    trajectories, events = t["covid_trajectories"], t["covid_events"]
    stalled = stalled_rows(trajectories)
    per_city = stalled.groupby("city").size()
    ranked = sorted(per_city.items(), key=lambda kv: (-kv[1], CITIES.index(kv[0])))
    most = f"停滞した取組が最も多いのは{CITY_JA[ranked[0][0]]}({ranked[0][1]}件)です。" if ranked else ""
    timing = stalled[stalled["attribution"] == "timing"].groupby("city").size()
    timing_text = (
        "時期と推移から判断した停滞は"
        + "、".join(f"{CITY_JA[c]}{int(timing[c])}件" for c in CITIES if c in timing.index)
        + "で、そのほかは資料がコロナの影響と明記しています。"
        if not timing.empty
        else "停滞はすべて、資料がコロナの影響と明記しているものです。"
    )
    figures = [
        ctx.figure(
            "covid_status_by_city",
            "市ごとの判定(取組の件数)と、停滞した取組のコロナとの関係",
            [most, timing_text],
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
    numeric = stalled[stalled["rule"].str.startswith("stall:numeric") & (stalled["reference_value"].fillna(0) > 0)]
    latest = int((numeric["reference_basis"] == "latest_year").sum())
    basis_text = (
        f"そのうち{fmt_number(latest)}件はコロナ前の実績がないため、その取組の最新の水準を基準値(100)にしています。"
        "この場合は、停滞した年度の値より上がったことを回復とみなします。"
        if latest
        else f"基準値(100)はコロナ前の実績で、その{fmt_number(ctx.recovery_share * 100)}%以上に戻れば回復とみなします。"
    )
    figures.append(
        ctx.figure(
            "covid_indexed_series",
            "数値で停滞が確認できた活動の動き(基準値を100とした値)",
            [
                f"グラフにした{fmt_number(len(numeric))}件の活動のうち、"
                f"{fmt_number(int((numeric['status'] == 'stalled_recovered').sum()))}件を"
                f"「{label_ja('status', 'stalled_recovered')}」と判定しています。",
                basis_text,
            ],
        )
    )
    demand = demand_counts(trajectories)
    if not demand.empty and (ctx.figures_dir / "covid_demand.png").is_file():
        totals = demand.sum()
        n = int(totals.sum())
        rose = demand["rose"].sort_values(ascending=False, kind="stable")
        top = (
            f"増えたものが最も多いのは{CITY_JA[str(rose.index[0])]}({int(rose.iloc[0])}件)です。"
            if rose.iloc[0]
            else ""
        )
        figures.append(
            ctx.figure(
                "covid_demand",
                "相談・申請などの需要の指標:最初の年度から最新の年度への増減",
                [
                    f"相談件数や申請件数のような需要の指標{fmt_number(n)}件は、減っても停滞とは判定していません"
                    "(事業の終了や制度の変更で減ることも、困りごとが増えて増えることもあるためです)。",
                    f"最初の年度から最新の年度にかけて、増えたものが{fmt_number(int(totals.get('rose', 0)))}件、"
                    f"減ったものが{fmt_number(int(totals.get('fell', 0)))}件、"
                    f"ほぼ同じものが{fmt_number(int(totals.get('flat', 0)))}件です。{top}",
                ],
            )
        )
    late = t["evaluations"][t["evaluations"]["grade"].isin(("C", "D"))]
    for city in [c for c in ctx.cities if c in set(late["city"])]:
        if not (ctx.figures_dir / f"covid_{city}_grades.png").is_file():
            continue
        per_year = late[late["city"] == city].groupby("fiscal_year").size()
        listed = "、".join(f"{int(y)}年度{int(n)}件" for y, n in per_year.items())
        figures.append(
            ctx.figure(
                f"covid_{city}_grades",
                f"{CITY_JA[city]}の自己評価(A〜D)の推移",
                [f"評価がCまたはD(遅れ・未実施)の取組は、{listed}です。"],
            )
        )
    return figures


def covid_section(ctx: ReportContext) -> Section:
    """The four cities compared on the COVID question: counts, figures, and how the thresholds matter."""
    t = ctx.tables
    start = ctx.window[0]
    body = join(
        [
            paragraph(*covid_overall_sentences(ctx)),
            small(
                "「資料がコロナの影響と明記」は、資料の文がその取組の中止・延期・休止・見送りをコロナ禍によるものと"
                "書いているもの、「時期と推移から判断」は、資料に理由は書かれていないものの、コロナ禍の年度に数値や評価が"
                "下がったもの、または中止したとだけ書かれているものです。"
            ),
            status_table(t["covid_trajectories"], ctx.cities),
            attribution_table(t["covid_trajectories"], ctx.cities),
            *covid_figures(ctx),
            heading("判定の基準を変えた場合", 3, "covid-sensitivity"),
            paragraph(*sensitivity_sentences(t["covid_sensitivity"])),
            table(
                sensitivity_frame(t["covid_sensitivity"], start), numeric=["停滞した取組", "そのうち回復"], css="cards"
            ),
        ]
    )
    return Section(
        "covid", "4市の比較:コロナ禍での停滞と回復", body, (("covid-sensitivity", "判定の基準を変えた場合"),)
    )
