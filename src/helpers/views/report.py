"""The Japanese report's text, computed from the tables: every number and list in the prose comes from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import CITIES
from helpers.analysis.covid_text import natural_key
from helpers.analysis.covid_trajectories import STALLED_STATUSES, STATUS_LABELS_JA, status_counts
from helpers.core.errors import PipelineError
from helpers.core.fiscal_years import era_label
from helpers.sources.manifest import CITY_JA, Source
from helpers.views.report_html import box, bullets, fmt_number, heading, image, paragraph, small, table

VALUE_KIND_JA: dict[str, str] = {"actual": "実績", "target": "目標", "plan": "計画"}
EFFECT_JA: dict[str, str] = {
    "cancelled": "中止",
    "postponed": "延期",
    "reduced": "縮小・休止",
    "moved_format": "書面・オンライン等へ変更",
    "resumed": "再開",
}


def year_label(fiscal_year: int) -> str:
    """``令和4年度(2022年度)`` — the era name staff use, with the Gregorian year researchers use.

    >>> year_label(2022)
    '令和4年度(2022年度)'
    """
    return f"{era_label(fiscal_year)}({fiscal_year}年度)"


def join_ja(items: Sequence[str]) -> str:
    """Join names the Japanese way (、) ; an empty list reads なし.

    >>> join_ja(["山形市", "白井市"]), join_ja([])
    ('山形市、白井市', 'なし')
    """
    return "、".join(items) if items else "なし"


def sources_table(sources: list[Source]) -> pd.DataFrame:
    """The data-sources table of the report: each raw document with its title, years and checksum."""
    rows = [
        {
            "市": s.city_ja,
            "資料": s.title,
            "対象年度": s.fiscal_years.replace("-", "〜"),
            "ファイル": s.file,
            "SHA-256": s.sha256,
        }
        for s in sorted(sources, key=lambda s: (CITIES.index(s.city), s.file))
    ]
    return pd.DataFrame(rows)


def city_overview(indicators: pd.DataFrame, measures: pd.DataFrame, sources: list[Source]) -> pd.DataFrame:
    """Per city: documents, measures, observations by kind, and the fiscal years the actual values cover."""
    rows = []
    for city in CITIES:
        obs = indicators[indicators["city"] == city]
        actual_years = sorted(obs.loc[obs["value_kind"] == "actual", "fiscal_year"].unique())
        counts = obs["value_kind"].value_counts()
        rows.append(
            {
                "市": CITY_JA[city],
                "資料数": sum(s.city == city for s in sources),
                "取組数": int((measures["city"] == city).sum()),
                "数値の件数": int(obs["value"].notna().sum()),
                **{f"{VALUE_KIND_JA[k]}": int(counts.get(k, 0)) for k in ("actual", "target", "plan")},
                "実績の年度": "、".join(str(y) for y in actual_years) if actual_years else "なし",
            }
        )
    return pd.DataFrame(rows)


def corpus_sentence(indicators: pd.DataFrame, measures: pd.DataFrame, sources: list[Source]) -> str:
    """One sentence saying how much was read from how many documents."""
    cities = [CITY_JA[c] for c in CITIES if c in set(indicators["city"])]
    return (
        f"{join_ja(cities)}の{len(sources)}資料から、{fmt_number(len(measures))}の取組について"
        f"{fmt_number(len(indicators))}件の値(実績・目標・計画)を読み取りました。"
        f"うち数値のあるものは{fmt_number(int(indicators['value'].notna().sum()))}件で、"
        "すべてに出典の資料名・行番号・原文の表記を付けています。"
    )


def report_year_sentence(indicators: pd.DataFrame, fiscal_year: int) -> str:
    """Which cities report actual values for the report year, and how many."""
    actual = indicators[(indicators["value_kind"] == "actual") & (indicators["fiscal_year"] == fiscal_year)]
    actual = actual[actual["value"].notna()]
    per_city = actual.groupby("city").size()
    parts = [f"{CITY_JA[c]}{fmt_number(int(per_city[c]))}件" for c in CITIES if c in per_city.index]
    missing = [CITY_JA[c] for c in CITIES if c not in per_city.index]
    text = f"{year_label(fiscal_year)}の実績値は、{join_ja(parts)}が報告されています。"
    if missing:
        text += f"{join_ja(missing)}の資料には、この年度の実績値はありません。"
    return text


def grade_sentence(evaluations: pd.DataFrame, fiscal_year: int) -> str:
    """白井市's self-evaluation grades for the report year, counted."""
    year = evaluations[(evaluations["fiscal_year"] == fiscal_year) & (evaluations["grade"] != "")]
    if year.empty:
        return f"{year_label(fiscal_year)}の自己評価(A〜D)は資料にありません。"
    counts = year["grade"].value_counts()
    cities = join_ja([CITY_JA[c] for c in CITIES if c in set(year["city"])])
    graded = "、".join(f"{g}が{int(counts[g])}件" for g in ("A", "B", "C", "D") if g in counts.index)
    return f"{cities}の{year_label(fiscal_year)}の自己評価は、{graded}でした。"


def status_counts_ja(trajectories: pd.DataFrame) -> pd.DataFrame:
    """The analysis's city × status counts (``covid_trajectories.status_counts``) with Japanese headings."""
    counts = status_counts(trajectories).drop(columns="total")
    counts.index = [CITY_JA.get(c, "4市計") for c in counts.index]
    counts.columns = [STATUS_LABELS_JA[s] for s in counts.columns]
    return counts.rename_axis("市").reset_index()


def covid_sentences(trajectories: pd.DataFrame, fiscal_year: int, window: tuple[int, int]) -> list[str]:
    """Key findings on the COVID question, all counts computed from the trajectories table."""
    stalled = trajectories[trajectories["status"].isin(STALLED_STATUSES)]
    counts = stalled["status"].value_counts()
    n = {s: fmt_number(int(counts.get(s, 0))) for s in STALLED_STATUSES}
    start, end = window
    sentences = [
        f"コロナ禍({start}〜{end}年度)に停滞したと判定した活動は{fmt_number(len(stalled))}件です。"
        f"このうち{year_label(fiscal_year)}までに回復が確認できたものが{n['stalled_recovered']}件、"
        f"資料で再開を予定しているものが{n['stalled_planned']}件、"
        f"その後の年度も停滞が続いているものが{n['stalled_not_recovered']}件、"
        f"その後の年度の記載がなく回復を確認できないものが{n['stalled_recovery_not_observed']}件でした。"
    ]
    per_city = stalled.groupby("city").size()
    if not per_city.empty:
        ranked = sorted(per_city.items(), key=lambda kv: (-kv[1], CITIES.index(kv[0])))
        listed = "、".join(f"{CITY_JA[c]}{int(v)}件" for c, v in ranked)
        sentences.append(f"市別の停滞件数は{listed}です。")
    not_stalled = int((trajectories["status"] == "not_stalled").sum())
    unknown = int((trajectories["status"] == "insufficient_data").sum())
    sentences.append(
        f"停滞が見られなかったものは{fmt_number(not_stalled)}件、"
        f"年度の比較ができる数値や記述がなく判定できなかったものは{fmt_number(unknown)}件です。"
    )
    return sentences


def stalled_list(trajectories: pd.DataFrame, city: str) -> pd.DataFrame:
    """One city's stalled rows for the report, in the analysis's order (status, then measure number), with the
    file and line each quote stands on."""
    rows = trajectories[(trajectories["city"] == city) & trajectories["status"].isin(STALLED_STATUSES)]
    keys = [
        (STALLED_STATUSES.index(s), natural_key(m), i)
        for s, m, i in zip(rows["status"], rows["measure_id"], rows["activity"], strict=True)
    ]
    rows = rows.iloc[sorted(range(len(rows)), key=keys.__getitem__)]

    def year(value: object) -> str:
        return "" if pd.isna(value) else str(int(value))

    return pd.DataFrame(
        {
            "取組": rows["measure"],
            "活動・指標": rows["activity"],
            "判定": rows["status"].map(STATUS_LABELS_JA),
            "停滞": rows["stall_year"].map(year),
            "回復": rows["recovery_year"].map(year),
            "資料の記述": rows["quote"],
            "出典": rows["source_file"] + ":" + rows["source_line"].map(year),
        }
    ).reset_index(drop=True)


@dataclass
class ReportContext:
    """Everything the report is built from: the tables, the manifest, the report year and the COVID window."""

    tables: dict[str, pd.DataFrame]
    sources: list[Source]
    fiscal_year: int
    window: tuple[int, int]
    figures_dir: Path
    drop_threshold: float = 0.3
    recovery_share: float = 0.8

    def figure(self, name: str, caption: str) -> str:
        """A saved figure embedded in the page; a missing figure stops the build rather than leaving a hole."""
        path = self.figures_dir / f"{name}.png"
        if not path.is_file():
            raise PipelineError(f"{path}: figure missing (run the analysis notebooks first)")
        return image(path, caption)


def title_block(ctx: ReportContext) -> str:
    """Title, scope line and what the report is built from (the data, not the time it ran)."""
    cities = join_ja([CITY_JA[c] for c in CITIES if any(s.city == c for s in ctx.sources)])
    return (
        heading("地域福祉計画の進行管理シート 4市の比較", 1)
        + paragraph(f"対象:{cities} 報告の年度:{year_label(ctx.fiscal_year)}")
        + small(
            f"この報告書は、末尾「データの出典」に掲げる{len(ctx.sources)}資料(SHA-256で同一性を確認)から"
            "自動的に作成しています。本文の数値はすべて表から計算したものです。"
        )
    )


def key_findings_block(ctx: ReportContext) -> str:
    """要旨: the corpus, the report year, the COVID counts and the hub/consultation contrasts."""
    t = ctx.tables
    items = [corpus_sentence(t["indicators"], t["measures"], ctx.sources)]
    items.append(report_year_sentence(t["indicators"], ctx.fiscal_year))
    items.extend(covid_sentences(t["covid_trajectories"], ctx.fiscal_year, ctx.window))
    if not t["evaluations"].empty:
        items.append(grade_sentence(t["evaluations"], ctx.fiscal_year))
    items.extend(hub_key_sentences(ctx))
    return heading("要旨", 2, "summary") + box(bullets(items))


def _hub_summaries(ctx: ReportContext) -> pd.DataFrame:
    from helpers.analysis.hub_consultation import city_summaries, coverage_matrix

    tagged = ctx.tables["hub_consultation"]
    return city_summaries(tagged, coverage_matrix(tagged), ctx.tables["activities"])


def hub_key_sentences(ctx: ReportContext) -> list[str]:
    """Which cities measure consultation volume, which only meetings, and how many series are comparable."""
    summaries = _hub_summaries(ctx)
    volume = [CITY_JA[c] for c in summaries.loc[summaries["tracks_consultation_volume"], "city"]]
    meetings = [CITY_JA[c] for c in summaries.loc[summaries["consultation_meetings_only"], "city"]]
    sentences = [f"相談の件数・人数を指標として追っている市は{join_ja(volume)}です。"]
    if meetings:
        sentences.append(f"{join_ja(meetings)}は、相談を会議の開催回数など体制面の指標でのみ把握しています。")
    per = ctx.tables["hub_consultation_per_1000"]
    compared = per[per["comparable"]]
    groups = compared["comparable_group"].nunique()
    sentences.append(
        f"人口千人当たりで比較できる(区分・単位・集計の基準がそろう)系列のグループは{fmt_number(groups)}つで、"
        f"{fmt_number(len(compared))}件の値を比較しました。"
    )
    return sentences


def covid_block(ctx: ReportContext) -> str:
    """Section 1: which measures stalled in the COVID window and which recovered, with figures and quotes."""
    trajectories = ctx.tables["covid_trajectories"]
    start, end = ctx.window
    parts = [
        heading(f"1. コロナ禍({start}〜{end}年度)に停滞した取組と回復", 2, "covid"),
        bullets(covid_sentences(trajectories, ctx.fiscal_year, ctx.window)),
        table(status_counts_ja(trajectories), numeric=list(STATUS_LABELS_JA.values())),
        ctx.figure("covid_status_by_city", "図1 市別の判定(活動の件数)"),
        ctx.figure("covid_timeline", "図2 資料に書かれたコロナ禍の影響(年度別・種類別)"),
        ctx.figure("covid_indexed_series", "図3 コロナ禍に下がった活動の数値(基準値=100)"),
    ]
    if not ctx.tables["evaluations"].empty:
        parts.append(ctx.figure("covid_shiroi_grades", "図4 白井市の自己評価(A〜D)の推移"))
    return "".join(parts)


def hub_block(ctx: ReportContext) -> str:
    """Section 2: what each city measures about hubs and consultation, and the comparable figures."""
    from helpers.analysis.hub_consultation import city_sentences_ja, matrix_table_ja

    summaries = _hub_summaries(ctx)
    shown = matrix_table_ja(ctx.tables["hub_consultation_matrix"]).reset_index()
    shown = shown[["市", "区分", "系列数", "単位", "集計の基準", "集計の単位", "年度", "目標のある系列"]]
    parts = [heading("2. 拠点と相談の指標の比較", 2, "hub")]
    for row in summaries.to_dict("records"):
        parts.append(heading(CITY_JA[str(row["city"])], 3))
        parts.append(bullets(city_sentences_ja(row)))
    parts += [
        table(shown, numeric=["系列数", "目標のある系列"]),
        ctx.figure("hub_matrix_heatmap", "図5 市×区分ごとの指標の数"),
        ctx.figure("hub_per_1000", "図6 人口千人当たりの値(比較できる系列のみ)"),
        ctx.figure("hub_expansion", "図7 山形市の拠点の拡大と他市の拠点数"),
    ]
    return "".join(parts)


def cities_block(ctx: ReportContext) -> str:
    """Section 3: per city, what the sheets hold and what stalled, with the sheet's own words."""
    t = ctx.tables
    overview = city_overview(t["indicators"], t["measures"], ctx.sources)
    parts = [
        heading("3. 市ごとの状況", 2, "cities"),
        table(overview, numeric=["資料数", "取組数", "数値の件数", "実績", "目標", "計画"]),
    ]
    for city in CITIES:
        listed = stalled_list(t["covid_trajectories"], city)
        parts.append(heading(f"{CITY_JA[city]}:コロナ禍で停滞した取組・指標({fmt_number(len(listed))}件)", 3))
        parts.append(table(listed) if not listed.empty else paragraph("該当なし"))
    return "".join(parts)


def methods_block(ctx: ReportContext) -> str:
    """Section 4: how the tables and judgements were made, and what they cannot say, in plain words."""
    start, end = ctx.window
    drop = fmt_number(ctx.drop_threshold * 100)
    share = fmt_number(ctx.recovery_share * 100)
    items = [
        "各市の資料(PDFから抽出したテキスト)を市ごとの読み取り規則で表に整えました。"
        "値ごとに、資料名・行番号・原文の表記を残しています。",
        "ラベルと値の対応が確実でないセルは、数値を割り当てず、理由を備考に記して残しています。",
        "「延べ」「実」「累計」など集計の基準が異なる値、件数と人数のように単位が異なる値は比較していません。",
        f"停滞は、{start}〜{end}年度の値が基準値(コロナ前の値、なければ目標値、なければ最初の年度の値)より"
        f"{drop}%以上下がったこと、活動があるのに0になったこと、資料にコロナによる中止・延期・縮小などの記述が"
        "あること、または白井市の自己評価がC・Dであることで判定しています。",
        f"回復は、その後の値が基準値の{share}%以上に戻ったこと、再開の記述、または評価がA・Bに戻ったことで"
        "判定しています。翌年度の計画に再開が書かれているだけのものは「再開予定」としています。",
        "累計の値、金額、割合、定義が途中で変わった指標は、数値の増減では判定していません。",
        population_sentence(ctx.tables["hub_consultation_per_1000"]),
    ]
    return heading("4. 方法と注意点", 2, "methods") + bullets(items)


def population_sentence(per_1000: pd.DataFrame) -> str:
    """Which population figures the per-1,000 values divide by, read from the table (the denominator file can
    be switched, so the text must follow it).

    >>> population_sentence(pd.DataFrame({"population_reference_date": ["2020-10-01", "2020-10-01"]}))
    '人口千人当たりの値は、2020年10月1日時点の人口(data/raw/reference/population.csv)を分母にしています。'
    """
    dates = sorted(set(per_1000["population_reference_date"]) - {""})
    if not dates:
        return "人口千人当たりの値は計算していません。"
    written = "、".join(f"{int(y)}年{int(m)}月{int(d)}日" for y, m, d in (date.split("-") for date in dates))
    return f"人口千人当たりの値は、{written}時点の人口(data/raw/reference/population.csv)を分母にしています。"


def sources_block(ctx: ReportContext) -> str:
    """Section 5: each raw document with its title, fiscal years and checksum."""
    return (
        heading("5. データの出典", 2, "sources")
        + table(sources_table(ctx.sources))
        + small("表は data/processed/ に CSV(datapackage.json 付き)と reports/tables.xlsx で公開しています。")
    )


def write_tables_workbook(path: Path, ctx: ReportContext) -> None:
    """The tidy and analysis tables as one Excel workbook with a Japanese readme sheet."""
    from helpers.tables.schema import ANALYSIS_TABLES, CLEAN_TABLES
    from helpers.views.excel import write_workbook

    write_workbook(path, [(t, ctx.tables[t.name]) for t in (*CLEAN_TABLES, *ANALYSIS_TABLES) if t.name in ctx.tables])
