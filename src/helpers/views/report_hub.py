"""The report's hub and consultation parts: what each city counts, and the figures comparing the cities.
Re-wire here when the hub analysis tables change."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from helpers import CITIES
from helpers.sources.manifest import CITY_JA
from helpers.views.labels import label_ja
from helpers.views.report_context import ReportContext, Section, label_order
from helpers.views.report_html import (
    fmt_number,
    fmt_value,
    join,
    paragraph,
    table,
)


def hub_subjects(matrix: pd.DataFrame, city: str) -> list[tuple[str, int]]:
    """What a city counts for hubs and consultation: (category, number of indicators), most first."""
    rows = matrix[(matrix["city"] == city) & (matrix["n_series"] > 0)]
    ranked = sorted(zip(rows["subtype"], rows["n_series"], strict=True), key=lambda kv: (-int(kv[1]), str(kv[0])))
    return [(label_ja("subtype", s), int(n)) for s, n in ranked]


def hub_sentence(matrix: pd.DataFrame, city: str) -> str:
    """Which hub and consultation categories a city's indicators cover, with how many indicators each.

    >>> m = pd.DataFrame({"city": ["shiroi"] * 2, "subtype": ["hub_places", "coordination"], "n_series": [2, 5]})
    >>> hub_sentence(m, "shiroi")
    '拠点と相談については、連携・会議(5指標)、拠点の数(2指標)を指標として把握しています。'
    """
    subjects = hub_subjects(matrix, city)
    if not subjects:
        return "拠点と相談に関する指標は、資料にありません。"
    listed = "、".join(f"{name}({n}指標)" for name, n in subjects)
    return f"拠点と相談については、{listed}を指標として把握しています。"


def hub_matrix_table(matrix: pd.DataFrame, cities: Sequence[str]) -> Markup:
    """What each city counts: rows are cities, columns categories, cells the number of indicators."""
    subtypes = [s for s in label_order("subtype") if s in set(matrix["subtype"])]
    rows = []
    for city in cities:
        part = matrix[matrix["city"] == city].set_index("subtype")["n_series"]
        row: dict[str, object] = {"市": CITY_JA[city]}
        row.update({label_ja("subtype", s): int(part.get(s, 0)) for s in subtypes})
        rows.append(row)
    return table(pd.DataFrame(rows), numeric=[label_ja("subtype", s) for s in subtypes], css="cards")


def _blank(column: pd.Series) -> pd.Series:
    """Whether each text cell is empty (missing or "")."""
    return column.fillna("").astype(str).eq("")


def service_names(tagged: pd.DataFrame) -> dict[str, str]:
    """Service code → its Japanese name, from the tagged hub table."""
    named = tagged[~_blank(tagged["service"])].drop_duplicates("service")
    return dict(zip(named["service"], named["service_ja"], strict=True))


def reported_services(per_1000: pd.DataFrame, fiscal_year: int) -> dict[str, list[str]]:
    """Service → the cities that report an actual value of it up to the report year (each fact once)."""
    rows = per_1000[
        (per_1000["value_kind"] == "actual")
        & _blank(per_1000["same_fact_as"])
        & per_1000["value"].notna()
        & (per_1000["fiscal_year"] <= fiscal_year)
        & ~_blank(per_1000["service"])
    ]
    return {
        str(service): [c for c in CITIES if c in set(part["city"])]
        for service, part in rows.groupby("service", sort=True)
    }


def comparable_services(per_1000: pd.DataFrame) -> list[tuple[str, list[str], bool]]:
    """The services some cities count the same way: (service, cities, whether per-1,000 figures exist)."""
    compared = per_1000[per_1000["comparable"].astype(bool)]
    out = []
    for service, part in compared.groupby("service", sort=True):
        cities = [c for c in CITIES if c in set(part["city"])]
        out.append((str(service), cities, bool(part["per_1000"].notna().any())))
    return out


def hub_services_reading(ctx: ReportContext) -> list[object]:
    """What the service panels show: which services are compared, for which cities, and why per-1,000 figures
    exist only for services for all residents."""
    t = ctx.tables
    per, names = t["hub_consultation_per_1000"], service_names(t["hub_consultation"])
    shared = {s: c for s, c in reported_services(per, ctx.fiscal_year).items() if len(c) >= 2}
    compared = comparable_services(per)

    def listed(service: str, cities: Sequence[str]) -> str:
        return f"「{names.get(service, service)}」({'・'.join(CITY_JA[c] for c in cities)})"

    out: list[object] = [
        f"2市以上が報告しているサービスは{fmt_number(len(shared))}あり、図はその一つずつを1枚のパネルにしています。"
    ]
    if compared:
        out.append(
            f"そのうち、対象・単位・数え方がそろい、市どうしで比べられるのは"
            f"{'、'.join(listed(s, c) for s, c, _ in compared)}です。ほかのサービスは、市によって数えているもの"
            "(件数と人数、延べと実など)が違うため、棒にせず各市の値を文字で示しています。"
        )
    scaled = [listed(s, c) for s, c, has in compared if has]
    unscaled = [names.get(s, s) for s, _, has in compared if not has]
    sentence = "人口千人当たりの値は、すべての住民を対象とするサービス"
    sentence += f"({'、'.join(scaled)})" if scaled else ""
    sentence += "についてだけ計算しています。"
    if unscaled:
        sentence += (
            f"「{'」「'.join(unscaled)}」のように高齢者など対象が限られるサービスや、会議の回数は、"
            "年齢別の人口の資料をこの報告書に含めていないため、実数で示しています。"
        )
    out.append(sentence)
    return out


def hub_figures(ctx: ReportContext) -> list[Markup]:
    """The hub and consultation figures, each followed by what it shows."""
    t = ctx.tables
    matrix = t["hub_consultation_matrix"]
    top = matrix.sort_values(["n_series", "city"], ascending=[False, True], kind="stable").head(1)
    reading = [
        f"指標が最も多いのは{CITY_JA[r.city]}の「{label_ja('subtype', r.subtype)}」({int(r.n_series)}指標)です。"
        for r in top.itertuples()
    ]
    figures = [ctx.figure("hub_matrix_heatmap", "市ごと・区分ごとの指標の数", reading)]
    figures.append(ctx.figure("hub_services", "サービスごとの4市の比較", hub_services_reading(ctx)))
    figures.append(ctx.figure("hub_expansion", "拠点の数の推移", hub_expansion_reading(t["hub_consultation"])))
    return figures


def hub_expansion_reading(tagged: pd.DataFrame) -> list[object]:
    """The longest hub-count series: its first and last values and years, each linked by the figure's own table."""
    places = tagged[(tagged["subtype"] == "hub_places") & (tagged["value_kind"] == "actual") & tagged["value"].notna()]
    if places.empty:
        return ["拠点の数を年度ごとに示した資料はありません。"]
    spans = places.groupby(["city", "measure_id", "indicator"])["fiscal_year"].nunique()
    city, measure_id, indicator = sorted(spans.index, key=lambda k: (-int(spans[k]), CITIES.index(k[0]), k))[0]
    series = places[
        (places["city"] == city) & (places["measure_id"] == measure_id) & (places["indicator"] == indicator)
    ].sort_values("fiscal_year")
    first, last = series.iloc[0], series.iloc[-1]
    return [
        f"最も長く拠点の数が追えるのは{CITY_JA[city]}の「{indicator}」で、"
        f"{int(first['fiscal_year'])}年度の{fmt_value(first['value'])}{first['unit']}から"
        f"{int(last['fiscal_year'])}年度の{fmt_value(last['value'])}{last['unit']}になっています。"
    ]


def hub_section(ctx: ReportContext) -> Section:
    """The four cities compared on what they count for hubs and consultation."""
    t = ctx.tables
    body = join(
        [
            paragraph(
                "拠点(サロン・居場所・窓口など)と相談について、各市が資料でどんな指標を使っているかを区分ごとに"
                "数えました。数字は指標の数です。",
                repeats_sentence(t["hub_consultation_matrix"]),
            ),
            hub_matrix_table(t["hub_consultation_matrix"], ctx.cities),
            *hub_figures(ctx),
        ]
    )
    return Section("hub", "4市の比較:拠点と相談の指標", body)


def repeats_sentence(matrix: pd.DataFrame) -> str:
    """How many indicators repeat another's figures and are counted once.

    >>> repeats_sentence(pd.DataFrame({"n_repeats": [4, 1]}))
    '同じ数値が別の取組にも載っている指標(5指標)は、1つと数えています。'
    """
    n = int(matrix["n_repeats"].sum())
    return f"同じ数値が別の取組にも載っている指標({fmt_number(n)}指標)は、1つと数えています。" if n else ""


def population_sentence(per_1000: pd.DataFrame) -> str:
    """Which population figures the per-1,000 values divide by, read from the table.

    >>> population_sentence(pd.DataFrame({"population_reference_date": ["2020-10-01", "2020-10-01"]}))
    '人口千人当たりの値(すべての住民を対象とするサービスだけ)は、各市の2020年10月1日時点の人口で割って計算しています。'
    """
    dates = sorted(set(per_1000["population_reference_date"]) - {""})
    if not dates:
        return "人口千人当たりの値は計算していません。"
    written = "、".join(f"{int(y)}年{int(m)}月{int(d)}日" for y, m, d in (date.split("-") for date in dates))
    return (
        f"人口千人当たりの値(すべての住民を対象とするサービスだけ)は、各市の{written}時点の人口で割って計算しています。"
    )
