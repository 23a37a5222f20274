"""通报导出（chuangwen.briefing 包，不依赖 streamlit）：按统计时刻取数（只用各页已定义的命名查询），生成 16:9 的周通报/推进会幻灯片（PPTX 字节）。

- 简单的柱图、折线图用 PowerPoint 原生图表（数据可在 PowerPoint 里编辑）；复杂的图（全组名次走势）用 2 倍分辨率 PNG，
  没有 Chromium 时改用原生图并在页上写明；热点地图是不需要浏览器的静态图（chuangwen.export_png）。
- 中文字体写进 XML 的 `<a:ea>`（python-pptx 的 font.name 只写 `<a:latin>`），PowerPoint 与 LibreOffice 都能显示中文。
- 可复现：所用每个查询的参数与结果算一个 SHA-256 数据指纹，写在每页页脚、备注和文档属性里；同一统计时刻、同一份数据，
  数字与指纹都相同。所有时间都相对统计时刻，不取系统时钟。

取数与内容在 figures，画幻灯片在 deck；这里把两步合起来（build），并给出文件名、统计时刻与红黑榜 Excel。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from chuangwen import excel, league, queries
from chuangwen.briefing import document, notices, wordlayout
from chuangwen.briefing.deck import EA_TYPEFACE, SLIDE_H, SLIDE_W, deck
from chuangwen.briefing.figures import (
    PERIODS,
    SLIDE_TITLES,
    Brief,
    NoData,
    changes_table,
    collect,
    default_issue_no,
    slide_titles,
)
from chuangwen.view import View
from chuangwen.vocabulary import WEEK

# 包外（页面、命令行、测试）用到的
__all__ = [
    "EA_TYPEFACE",
    "PERIODS",
    "SLIDE_H",
    "SLIDE_TITLES",
    "SLIDE_W",
    "Brief",
    "Bundle",
    "NoData",
    "build",
    "build_bundle",
    "changes_table",
    "collect",
    "data_rows",
    "deck",
    "default_issue_no",
    "document",
    "notices",
    "wordlayout",
    "file_name",
    "LEAGUE_FRAMES",
    "league_workbook",
    "slide_titles",
]


def build(
    con: duckdb.DuckDBPyConnection,
    view: View | None = None,
    *,
    as_of: datetime | None = None,
    period: str = WEEK,
    issue_no: int | None = None,
    png: bool = True,
    scope_unit: str | None = None,
    chosen: dict | None = None,
    shared: queries.SourceCache | None = None,
) -> tuple[bytes, Brief]:
    """取数并生成幻灯片：返回 (PPTX 字节, Brief)。统计时刻没有数据时抛 NoData（不生成空幻灯片）。
    shared：中间结果放在哪（页面给与各页共用的缓存）。"""
    brief = collect(
        con, view, as_of=as_of, period=period, issue_no=issue_no, scope_unit=scope_unit, chosen=chosen, shared=shared
    )
    return deck(brief, png=png), brief


def file_name(brief: Brief) -> str:
    return f"{brief.county_name}{PERIODS[brief.period.key]}_第{brief.issue_no}期_{brief.as_of:%Y%m%d}.pptx"


LEAGUE_FRAMES = ("league_units", "league_townships")


def data_rows(brief: Brief, names: tuple[str, ...] | None = None) -> int:
    """通报用到的数据行数（审计的“行数”）：所用各查询结果的行数之和；names 只算其中几个（红黑榜 Excel 用两张榜）。"""
    return sum(len(df) for name, df in brief.frames.items() if names is None or name in names)


def league_workbook(brief: Brief) -> bytes:
    """本期红黑榜（部门、镇街）Excel：中文表头、首行冻结、列宽按中文估算、公式注入防护（chuangwen.excel）。"""
    sheets = league.workbook_sheets(brief.frames["league_units"], brief.frames["league_townships"])
    return excel.to_xlsx(
        sheets,
        number_formats=league.EXCEL_FORMATS,
        note=f"{brief.title} 第{brief.issue_no}期；统计区间 {brief.period_text}；"
        f"数据指纹 {brief.short_digest}；由创文看板导出",
    )


@dataclass
class Bundle:
    """一期要发的全部文件（页面“生成”一次得到，下载时直接给）：幻灯片、Word 通报（模板写错时为 None 并写明原因）、
    红黑榜 Excel、各单位督办单（模板写错时为 None 并写明原因）。数字都来自同一个 Brief；全部逾期清单 Excel
    （可达十万行）点下载时才写（document.overdue_workbook(bundle.brief)）。"""

    brief: Brief
    deck: bytes
    deck_name: str
    league_xlsx: bytes
    docx: bytes | None = None
    docx_error: str | None = None
    docx_name: str = ""
    overdue_xlsx_name: str = ""
    notices: notices.NoticeSet | None = None
    notices_error: str | None = None
    notes: list[str] = field(default_factory=list)


Progress = Callable[[str, float], None]


def build_bundle(
    con: duckdb.DuckDBPyConnection,
    view: View | None = None,
    *,
    as_of: datetime | None = None,
    period: str = WEEK,
    issue_no: int | None = None,
    png: bool = True,
    scope_unit: str | None = None,
    chosen: dict | None = None,
    with_deck: bool = True,
    progress: Progress | None = None,
) -> Bundle:
    """取数并生成一期的全部文件（页面的后台任务、以后的定时发送用）；progress(阶段, 0–1) 报进度。
    统计时刻没有数据时抛 NoData；模板写错只让对应的文件缺席（写明原因），其余照常。
    with_deck=False 时不画幻灯片（单位账号只要自己的督办单）。"""
    say = progress or (lambda stage, fraction: None)
    say("取数", 0.05)
    brief = collect(con, view, as_of=as_of, period=period, issue_no=issue_no, scope_unit=scope_unit, chosen=chosen)
    say("画幻灯片", 0.35)
    deck_bytes = deck(brief, png=png) if with_deck else b""
    out = Bundle(
        brief=brief,
        deck=deck_bytes,
        deck_name=file_name(brief),
        league_xlsx=league_workbook(brief) if with_deck else b"",
        docx_name=document.file_name(brief),
        overdue_xlsx_name=document.overdue_workbook_name(brief),
    )
    if with_deck:
        say("写 Word 通报", 0.6)
        try:
            out.docx = document.build(brief, png=png)
        except document.TemplateError as exc:
            out.docx_error = str(exc)
    say("写各单位督办单", 0.8)
    unit = view.scope_unit if view is not None else scope_unit  # 单位账号只做自己那一份
    try:
        out.notices = notices.build(brief, units={unit} if unit else None)
    except document.TemplateError as exc:
        out.notices_error = str(exc)
    out.notes = list(brief.notes)
    say("完成", 1.0)
    return out
