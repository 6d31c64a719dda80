"""The Japanese report for municipal staff, computed from the tables: every number, list and sentence that states a
finding comes from here, and every value and quote links to the raw line it was read from.

Each part of the page is one small function of the tables (a ``Section`` or a fragment), so a section can be
re-wired when an analysis table changes without touching the others."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from helpers.analysis.covid_validation import load_row_review, review_standing, review_summary
from helpers.sources.manifest import CITY_JA
from helpers.views.labels import label_ja
from helpers.views.raw_pages import raw_page
from helpers.views.report_context import (
    NOTEBOOKS,
    REPORT_TITLE,
    DocumentFact,
    ReportContext,
    Section,
    city_anchor,
    join_ja,
    read_document_facts,
    year_label,
)
from helpers.views.report_covid import (
    covid_overall_sentences,
    covid_section,
    stall_counts,
    stall_list_frame,
    stall_sentence,
    stall_table,
    stalled_rows,
)
from helpers.views.report_html import (
    bullets,
    definitions,
    fmt_number,
    heading,
    join,
    link,
    paragraph,
    render_template,
    small,
    table,
)
from helpers.views.report_hub import hub_section, hub_sentence, population_sentence

__all__ = ["ReportContext", "Section", "read_document_facts", "render_report", "sections", "write_report"]


def report_year_sentence(indicators: pd.DataFrame, fiscal_year: int, cities: Sequence[str]) -> str:
    """Which cities report actual values for the report year, and how many."""
    actual = indicators[(indicators["value_kind"] == "actual") & (indicators["fiscal_year"] == fiscal_year)]
    per_city = actual[actual["value"].notna()].groupby("city").size()
    parts = [f"{CITY_JA[c]}{fmt_number(int(per_city[c]))}件" for c in cities if c in per_city.index]
    missing = [CITY_JA[c] for c in cities if c not in per_city.index]
    text = f"{year_label(fiscal_year)}の実績の値は、{join_ja(parts)}が資料に載っています。"
    if missing:
        text += f"{join_ja(missing)}の資料には、この年度の実績の値はありません。"
    return text


def city_overview_sentence(ctx: ReportContext, city: str) -> Markup:
    """What a city's documents hold: which documents (linked), how many measures and values, which years."""
    t = ctx.tables
    docs = [s for s in ctx.sources if s.city == city]
    obs = t["indicators"][t["indicators"]["city"] == city]
    counts = obs.loc[obs["value"].notna(), "value_kind"].value_counts()
    kinds = "、".join(
        f"{label_ja('value_kind', k)}{fmt_number(int(counts.get(k, 0)))}件" for k in ("actual", "target", "plan")
    )
    years = sorted(obs.loc[(obs["value_kind"] == "actual") & obs["value"].notna(), "fiscal_year"].unique())
    span = f"{years[0]}〜{years[-1]}年度" if len(years) > 1 else (f"{years[0]}年度" if years else "なし")
    titles = join([link(f"{ctx.doc_label(s.file)}「{s.title}」", raw_page(s.file)) for s in docs], "、")
    n_measures = int((t["measures"]["city"] == city).sum())
    return paragraph(
        f"{CITY_JA[city]}の資料は、",
        titles,
        f"の{len(docs)}点です。{fmt_number(n_measures)}の取組について、数値を{fmt_number(int(counts.sum()))}件({kinds})読み取りました。"
        f"実績の値がある年度は{span}です。",
    )


def grade_sentence(evaluations: pd.DataFrame, city: str, fiscal_year: int) -> str:
    """A city's self-evaluation grades for the report year, counted (only cities that grade)."""
    rows = evaluations[(evaluations["city"] == city) & (evaluations["fiscal_year"] == fiscal_year)]
    rows = rows[rows["grade"] != ""]
    rows = rows.sort_values("source_line", kind="stable").drop_duplicates("measure_id")  # ※再掲 prints a grade again
    if rows.empty:
        return ""
    counts = rows["grade"].value_counts()
    graded = "、".join(f"{g}が{int(counts[g])}件" for g in ("A", "B", "C", "D") if g in counts.index)
    return f"{year_label(fiscal_year)}の自己評価(A〜Dの4段階)は、{graded}です。"


def summary_section(ctx: ReportContext) -> Section:
    """要旨: per city, what stalled and recovered and what it counts for hubs and consultation."""
    t = ctx.tables
    items = []
    for city in ctx.cities:
        counts = stall_counts(t["covid_trajectories"], city)
        items.append(
            join(
                [
                    link(CITY_JA[city], f"#{city_anchor(city)}"),
                    ":",
                    stall_sentence(counts, ""),
                    hub_sentence(t["hub_consultation_matrix"], city),
                    "(",
                    link("停滞した取組の一覧", f"#{city_anchor(city, 'covid')}"),
                    ")",
                ]
            )
        )
    body = join(
        [
            paragraph(report_year_sentence(t["indicators"], ctx.fiscal_year, ctx.cities)),
            bullets(items),
            paragraph(*covid_overall_sentences(ctx)),
        ]
    )
    return Section("summary", "要旨", body)


def city_section(ctx: ReportContext, city: str) -> Section:
    """One city: its documents, its stall/recovery list, and what it counts for hubs and consultation."""
    t = ctx.tables
    name = CITY_JA[city]
    rows = stalled_rows(t["covid_trajectories"], city)
    counts = stall_counts(t["covid_trajectories"], city)
    parts = [city_overview_sentence(ctx, city)]
    grades = grade_sentence(t["evaluations"], city, ctx.fiscal_year)
    if grades:
        parts.append(paragraph(grades))
    parts.append(heading("コロナ禍で停滞した取組と、その後", 3, city_anchor(city, "covid")))
    parts.append(paragraph(stall_sentence(counts, "この市では")))
    if not rows.empty:
        parts.append(
            small(
                "下線の数値と記述をクリックすると、資料のその行が開きます。"
                "基準値は、コロナ前の実績です。コロナ前の実績がない取組では、その取組の最新の水準を基準値にしています"
                "(目標値は基準値に使いません)。"
            )
        )
        parts.append(stall_table(ctx, rows))
    parts.append(heading("拠点と相談の指標", 3, city_anchor(city, "hub")))
    parts.append(paragraph(hub_sentence(t["hub_consultation_matrix"], city)))
    return Section(city_anchor(city), name, join(parts))


def executed_notebooks(ctx: ReportContext) -> list[tuple[str, str]]:
    """The executed notebooks' pages, as (label, link)."""
    pages = [(f"読み取りの記録({CITY_JA[c]})", f"{NOTEBOOKS}/01_clean-{c}.html") for c in ctx.cities]
    return [
        *pages,
        ("コロナ禍の停滞と回復の分析", f"{NOTEBOOKS}/02_covid_stall_recovery.html"),
        ("拠点と相談の分析", f"{NOTEBOOKS}/03_hub_consultation.html"),
        ("この報告書の作成", f"{NOTEBOOKS}/04_report.html"),
    ]


def covid_check_sentence(trajectories: pd.DataFrame) -> str:
    """How far the COVID judgements held up when a reviewer re-read each stalled and delayed row against the sheets
    (``data/validation/covid_row_review.csv``)."""
    summary = review_summary(review_standing(load_row_review(), trajectories)).set_index("rows")
    stalled = summary.loc["stalled"]
    seen = int(stalled["defensible"] + stalled["debatable"] + stalled["wrong"])
    unseen = int(stalled["total"]) - seen
    text = (
        f"停滞と判定した取組{fmt_number(int(stalled['total']))}件は、分類にかかわっていない確認者が資料の行と照らして"
        f"読み直しました。確認した{fmt_number(seen)}件のうち、妥当が{fmt_number(int(stalled['defensible']))}件、"
        f"別の読み方もありうるものが{fmt_number(int(stalled['debatable']))}件、"
        f"資料と合わないものが{fmt_number(int(stalled['wrong']))}件です。"
    )
    if unseen:
        text += f"判定を見直した後にまだ確認していないものが{fmt_number(unseen)}件あります。"
    return text + "一件ごとの理由は、コロナ禍の分析の記録(11節)にあります。"


def methods_section(ctx: ReportContext) -> Section:
    """How the tables and judgements were made, and what they cannot say, in plain words."""
    start, end = ctx.window
    drop, share = fmt_number(ctx.drop_threshold * 100), fmt_number(ctx.recovery_share * 100)
    min_change = fmt_number(ctx.min_change)
    graded = set(ctx.tables["evaluations"].loc[ctx.tables["evaluations"]["grade"].fillna("") != "", "city"])
    graders = "・".join(CITY_JA[c] for c in ctx.cities if c in graded) or "各市"
    items = [
        "各市の資料(PDFから取り出したテキスト)を、市ごとの読み取り方で表に整えました。"
        "数値の一つ一つに、どの資料の何行目に、どう書かれていたかを記録しています。",
        "何を数えた数値なのかが資料から読み取れないものは、値として使わず、理由を付けて記録に残しています。",
        "「延べ」と「実」のように数え方が違う値や、件数と人数のように単位が違う値は、比べていません。",
        "コロナ禍の判定は取組(活動)ごとに行いました。数値の指標のほか、資料の文が名前を挙げている活動も1件と数えています。",
        f"「停滞」としたのは、(1) 資料の文が{start}〜{end}年度のその活動の中止・延期・休止・見送りを書いているもの、"
        f"(2) 開催回数や参加者数のような活動の数値が、その期間に基準値より{drop}%以上、かつ{min_change}以上減ったもの"
        "(自己評価がその年度にA・Bのものは除きます)、"
        f"(3) {graders}の自己評価がその期間にD(未実施)で数値が0になり、後にA・Bに戻ったもの、のいずれかです。"
        "規模を縮小したり、制限しながら開催したもの、書面やオンラインなど形を変えて開催したものは、停滞としていません。"
        "コロナに触れていない文でも、名前のある研修会などを中止した・実施していないと書き、理由を書いていないものは、"
        "時期から判断した停滞に数えています。",
        "基準値は、コロナ前の実績です。コロナ前の実績がなく、続いている取組では、その取組の最新の水準を基準値にします。"
        "目標値は基準値に使いません。資料が途中で数え方を変えたと書いている指標は、数値では判定していません。",
        "相談件数・申請件数のような需要の指標(困りごとが増えれば増え、制度が終われば減るもの)と、"
        "登録者数・設置数のような積み上がる指標は、減っても停滞とは判定せず、その期間に報告があれば「"
        + label_ja("status", "not_stalled")
        + "」としています。累計、金額、割合の指標も同じです。需要の指標の増減は、図で別に示しています。",
        f"「回復」は、その後の実績が基準値の{share}%以上に戻ったこと(自己評価がC・Dの年度は除きます)、"
        "再開の記述があること、または自己評価がA・Bに戻ったことで判断しました。",
        "回復が確認できないものは、後の計画に再開が書かれていれば「"
        + label_ja("status", "stalled_planned")
        + "」、後の年度も下がったままなら「"
        + label_ja("status", "stalled_not_recovered")
        + "」、後の年度の報告がなければ「"
        + label_ja("status", "stalled_recovery_not_observed")
        + "」としています。",
        "停滞は、資料がコロナの影響と明記しているものと、理由は書かれていないが時期と推移から判断したものを分けて示し、"
        "「停滞した取組」の件数には両方を含めています。C・Dの評価でもコロナ禍の時期と合わないもの(毎年C、最新の年度だけDなど)は「"
        + label_ja("status", "delayed_cause_not_stated")
        + "」としています。",
        covid_check_sentence(ctx.tables["covid_trajectories"]),
        population_sentence(ctx.tables["hub_consultation_per_1000"]),
        "この報告書は、資料に書かれていることだけから作っています。資料にない事業や、"
        "資料の後に変わったことは反映されていません。",
    ]
    notebooks = bullets(link(label, href) for label, href in executed_notebooks(ctx))
    body = join(
        [
            bullets(items),
            paragraph("読み取りと分析の手順は、次の記録(プログラムを実行した記録)で確かめられます。"),
            notebooks,
        ]
    )
    return Section("methods", "調べ方と注意点", body)


GLOSSARY: tuple[tuple[str, str], ...] = (
    ("取組・指標", "取組は計画に載っている事業や活動、指標はその進み具合を表す数値(参加者数、開催回数など)です。"),
    ("実績・目標・計画", "実績はその年度に行った結果、目標は計画で定めた値、計画は翌年度などの予定の値です。"),
    ("延べ・実", "延べは同じ人が何度来ても毎回数える数え方、実は一人を一度だけ数える数え方です。"),
    (
        "基準値",
        "停滞したかどうかを比べる元の値です。コロナ前の実績、なければその取組の最新の水準を使います。目標値は使いません。",
    ),
    ("最新値", "資料に載っている最も新しい年度の実績の値です。"),
    (
        label_ja("status", "stalled_recovered"),
        "コロナ禍で停滞し、その後、基準値の近くまで戻ったか、再開したことが資料から分かるものです。",
    ),
    (label_ja("status", "stalled_planned"), "コロナ禍で停滞し、資料には再開の予定だけが書かれているものです。"),
    (label_ja("status", "stalled_not_recovered"), "コロナ禍で停滞し、後の年度の資料でも下がったままのものです。"),
    (
        label_ja("status", "stalled_recovery_not_observed"),
        "コロナ禍で停滞し、その後の年度の数値や記述が資料にないものです。",
    ),
    (
        label_ja("status", "delayed_cause_not_stated"),
        "自己評価がCやDでも、コロナ禍の時期と合わず、資料に原因が書かれていないものです。",
    ),
    (
        label_ja("status", "insufficient_data"),
        "比べられる年度の数値も、コロナ禍に触れた記述もなく、停滞したかどうかを判断できないものです。",
    ),
    ("需要の指標", "相談件数や申請件数のように、困りごとの多さで増減する指標です。停滞の判定には使いません。"),
    ("人口千人当たり", "市の規模の違いをならすため、値を人口で割って1,000を掛けたものです。"),
)
"""Words the report uses, explained once."""


def glossary_section() -> Section:
    """用語の説明."""
    return Section("glossary", "用語の説明", definitions(GLOSSARY))


def sources_section(ctx: ReportContext) -> Section:
    """The documents: city, title (linked to its page), what it states about its date or author, fiscal years."""
    facts: dict[str, list[DocumentFact]] = {}
    for fact in ctx.facts:
        facts.setdefault(fact.file, []).append(fact)
    rows = []
    for s in ctx.sources:
        stated = [
            join([f"{f.label_ja}:", ctx.cite(f.text, s.file, f.line)])
            for f in facts.get(s.file, [])
            if f.fact != "pages"
        ]
        pages = [ctx.cite(f.text, s.file, f.line) for f in facts.get(s.file, []) if f.fact == "pages"]
        row = {
            "資料": ctx.doc_label(s.file),
            "市": s.city_ja,
            "資料名": link(s.title, raw_page(s.file)),
            "日付・作成者(資料の記載)": join(stated, "、") if stated else join(["記載なし"]),
            "ページ数": join(pages) if pages else join(["記載なし"]),
            "対象年度": s.fiscal_years.replace("-", "〜"),
        }
        rows.append(row)
    frame = pd.DataFrame(rows)
    stated_pages = any(f.fact == "pages" for f in ctx.facts if f.file in {s.file for s in ctx.sources})
    if not stated_pages:
        frame = frame.drop(columns="ページ数")
    body = join(
        [
            paragraph(
                "資料名をクリックすると、その資料のテキスト全体を行番号付きで開けます。"
                "日付・作成者・ページ数は、資料そのものに書かれている場合だけ示しています。"
            ),
            table(frame, css="cards"),
            paragraph("" if stated_pages else "ページ数は、どの資料にも書かれていないため示していません。"),
            paragraph(data_use_note()),
        ]
    )
    return Section("sources", "資料の出典", body)


def data_use_note() -> str:
    """What may be said about reusing the documents: only that they are the cities' own publications."""
    return (
        "資料は各市が公表したものです。資料には、転載や再利用の条件は書かれていません。"
        "資料の文章や数値を使うときは、各市の定めに従ってください。"
    )


def appendix_section(ctx: ReportContext) -> Section:
    """For researchers: file names and checksums, the data files, how to cite."""
    rows = [
        {
            "資料": ctx.doc_label(s.file),
            "ファイル名": s.file,
            "チェックサム(SHA-256)": Markup(f'<span class="hash">{s.sha256}</span>'),
        }
        for s in ctx.sources
    ]
    body = join(
        [
            paragraph(
                "研究などで使う方のための情報です。資料のファイルは、公表されたものを手を加えずに使い、"
                "下のチェックサムで同じものであることを確かめています。"
            ),
            table(pd.DataFrame(rows), css="cards"),
            paragraph(
                "整えた表は ",
                link("tables.xlsx", "tables.xlsx"),
                "(Excel、日本語の見出し付き)と、data/processed/ の CSV(datapackage.json に列の説明)にあります。"
                "プログラムはMITライセンスで公開しています。引用のしかたは CITATION.cff と README の"
                "「How to cite」に書いています。",
            ),
        ]
    )
    return Section("appendix", "付録:研究に使う方へ", body, css="appendix")


def sections(ctx: ReportContext) -> list[Section]:
    """The report's parts in order: summary, one per city, the two comparisons, methods, glossary, sources."""
    return [
        summary_section(ctx),
        *(city_section(ctx, city) for city in ctx.cities),
        covid_section(ctx),
        hub_section(ctx),
        methods_section(ctx),
        glossary_section(),
        sources_section(ctx),
        appendix_section(ctx),
    ]


def render_report(ctx: ReportContext, parts: Sequence[Section] | None = None) -> str:
    """The whole page (``index.html``): title, scope, how it was made, contents, then the sections."""
    cities = join_ja([CITY_JA[c] for c in ctx.cities])
    note = (
        f"この報告書は、各市が公表した{len(ctx.sources)}点の資料(末尾の「資料の出典」)から作成しました。"
        "文中の数値はすべて、資料から読み取った表から計算したものです。"
        "下線の付いた数値や記述をクリックすると、それが書かれている資料の行が開きます。"
    )
    return render_template(
        "report.html",
        title=REPORT_TITLE,
        scope=f"対象:{cities}  報告の年度:{year_label(ctx.fiscal_year)}",
        note=note,
        sections=list(parts) if parts is not None else sections(ctx),
    )


def write_report(path: Path, ctx: ReportContext, parts: Sequence[Section] | None = None) -> None:
    """Write ``index.html`` (from ``parts`` when the sections are already built)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(ctx, parts), encoding="utf-8")


def plain_text(html: str) -> str:
    """A fragment's text without tags, one line per paragraph or list item (for the notebook's own output).

    >>> plain_text("<p>a<a href='#x'>b</a></p><ul><li>c</li></ul>")
    'ab\\nc'
    """
    text = re.sub(r"</(p|li|h[1-6]|tr)>", "\n", str(html))
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(line for line in (unescape(x).strip() for x in text.split("\n")) if line)


def write_tables_workbook(path: Path, ctx: ReportContext) -> None:
    """The tables as one Excel workbook for staff, the report's stall/recovery list first."""
    from helpers.tables.schema import ANALYSIS_TABLES, CLEAN_TABLES
    from helpers.views.excel import write_workbook

    listed = ("停滞と回復の一覧", stall_list_frame(ctx), "報告書と同じ、コロナ禍で停滞した取組・指標とその後")
    tables = [(t, ctx.tables[t.name]) for t in (*CLEAN_TABLES, *ANALYSIS_TABLES) if t.name in ctx.tables]
    write_workbook(path, [listed], tables, workbook_notes(ctx))


def workbook_notes(ctx: ReportContext) -> list[tuple[str, str]]:
    """The readme's opening lines: what the workbook is, how to filter it, and which document is 資料1, 資料2 …"""
    notes = [
        (
            "この表について",
            f"{REPORT_TITLE}({year_label(ctx.fiscal_year)})の報告書の元になった表です。"
            "どのシートも、1行目の見出しの▼から絞り込みや並べ替えができます。",
        ),
        ("出典の見方", "「資料」と「行」は、下の資料の何行目に書かれていたかを示します。"),
    ]
    notes += [(ctx.doc_label(s.file), f"{s.city_ja}「{s.title}」(ファイル名 {s.file})") for s in ctx.sources]
    return notes
