"""The Japanese report's text, computed from the tables: every number and list in the prose comes from here."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers import CITIES
from helpers.fiscal_years import era_label
from helpers.report_html import fmt_number
from helpers.sources import CITY_JA, Source

VALUE_KIND_JA: dict[str, str] = {"actual": "実績", "target": "目標", "plan": "計画"}
EFFECT_JA: dict[str, str] = {
    "cancelled": "中止",
    "postponed": "延期",
    "reduced": "縮小・休止",
    "moved_format": "書面・オンライン等へ変更",
    "resumed": "再開",
}
SUBTYPE_JA: dict[str, str] = {
    "hub_places": "拠点の数",
    "hub_participation": "拠点の利用",
    "consultation_volume": "相談の量",
    "consultation_capacity": "相談の体制",
    "coordination": "連携・会議",
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


STATUS_ORDER: tuple[str, ...] = (
    "stalled_recovered",
    "stalled_planned",
    "stalled_not_recovered",
    "not_stalled",
    "insufficient_data",
)
STALLED: tuple[str, ...] = STATUS_ORDER[:3]


def status_counts(trajectories: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """City × status counts with Japanese headings, cities in the project's order, a total row."""
    table = pd.crosstab(trajectories["city"], trajectories["status"]).reindex(
        index=[c for c in CITIES if c in set(trajectories["city"])], columns=list(STATUS_ORDER), fill_value=0
    )
    table.loc["total"] = table.sum()
    table.index = [CITY_JA.get(c, "4市計") for c in table.index]
    table.columns = [labels[s] for s in table.columns]
    return table.rename_axis("市").reset_index()


def covid_sentences(trajectories: pd.DataFrame, fiscal_year: int, window: tuple[int, int]) -> list[str]:
    """Key findings on the COVID question, all counts computed from the trajectories table."""
    stalled = trajectories[trajectories["status"].isin(STALLED)]
    counts = stalled["status"].value_counts()
    n = {s: fmt_number(int(counts.get(s, 0))) for s in STALLED}
    start, end = window
    sentences = [
        f"コロナ禍({start}〜{end}年度)に停滞したと判定した取組・指標は{fmt_number(len(stalled))}件です。"
        f"このうち{year_label(fiscal_year)}までに回復が確認できたものが{n['stalled_recovered']}件、"
        f"資料で再開を予定しているものが{n['stalled_planned']}件、"
        f"回復が確認できないものが{n['stalled_not_recovered']}件でした。"
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


def stalled_list(trajectories: pd.DataFrame, city: str, labels: dict[str, str]) -> pd.DataFrame:
    """One city's stalled rows for the report: measure, indicator, status, years, quote and source line."""
    rows = trajectories[(trajectories["city"] == city) & trajectories["status"].isin(STALLED)].copy()
    rows["order"] = rows["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    rows = rows.sort_values(["order", "measure_id", "indicator"], kind="stable")

    def year(value: object) -> str:
        return "" if pd.isna(value) else str(int(value))

    return pd.DataFrame(
        {
            "取組": rows["measure"],
            "指標": rows["indicator"],
            "判定": rows["status"].map(labels),
            "停滞": rows["stall_year"].map(year),
            "回復": rows["recovery_year"].map(year),
            "資料の記述": rows["quote"],
            "出典": rows["source_file"] + ":" + rows["source_line"].map(year),
        }
    )
