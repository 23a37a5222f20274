"""把一期通报（figures.Brief）画成 16:9 PPTX：原生图表、表格、PNG 图、页脚的数据指纹与文档属性。

中文字体写进 XML 的 `<a:ea>`（python-pptx 的 font.name 只写 `<a:latin>`），PowerPoint 与 LibreOffice 都能显示中文。"""

from __future__ import annotations

import io

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_AXIS_CROSSES, XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.table import _Cell
from pptx.text.text import Font
from pptx.util import Emu, Inches, Length, Pt

from chuangwen import export_png, formats, league, queries, rank_trend, settings, time_windows
from chuangwen.briefing import risk
from chuangwen.briefing.figures import (
    DEFINITION_QUERIES,
    PREVIOUS_WORDS,
    REBOUND_ROWS,
    ROUND_TYPE,
    SLIDE_TITLES,
    Brief,
    _before,
    changes_table,
    hot_townships_table,
    overdue_series,
    part_series,
    rank_png,
    rank_series,
    rebound_table,
    stamp,
)

# 字体：拉丁字母与东亚文字分别写；LibreOffice 找不到“微软雅黑”时按 fontconfig 退到 Noto Sans CJK
EA_TYPEFACE = "Microsoft YaHei"
LATIN_TYPEFACE = "Microsoft YaHei"

RED = RGBColor(0xB7, 0x1C, 0x1C)
DARK = RGBColor(0x21, 0x21, 0x21)
GREY = RGBColor(0x54, 0x6E, 0x7A)
LIGHT = RGBColor(0xEC, 0xEF, 0xF1)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BLUE = RGBColor(0x15, 0x65, 0xC0)
GREEN = RGBColor(0x2E, 0x7D, 0x32)
SERIES_COLORS = (RED, RGBColor(0x37, 0x47, 0x4F), RGBColor(0x90, 0xA4, 0xAE), BLUE)
OVERDUE_COLORS = (RGBColor(0xFB, 0xC0, 0x2D), RGBColor(0xEF, 0x6C, 0x00), RGBColor(0xB7, 0x1C, 0x1C))

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)


def set_ea(rpr: etree._Element, typeface: str = EA_TYPEFACE) -> None:
    """在 a:rPr / a:defRPr 上写东亚字体 <a:ea>（紧跟 <a:latin> 之后，符合架构顺序）。"""
    # 标明文字是简体中文：LibreOffice 缺字体时据此选简体字形（否则可能退到日文字形）
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", typeface)
    latin = rpr.find(qn("a:latin"))
    if latin is not None:
        latin.addnext(ea)
    else:
        rpr.remove(ea)
        # 没有 latin 时插到 cs/sym/hlink 等之前
        for i, child in enumerate(rpr):
            if child.tag in {
                qn("a:cs"),
                qn("a:sym"),
                qn("a:hlinkClick"),
                qn("a:hlinkMouseOver"),
                qn("a:rtl"),
                qn("a:extLst"),
            }:
                rpr.insert(i, ea)
                break
        else:
            rpr.append(ea)


def _style(font: Font, size: float, bold: bool = False, color: RGBColor = DARK) -> None:
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = color
    font.name = LATIN_TYPEFACE
    set_ea(font._rPr)


def _text(slide, x, y, w, h, lines, size=16, bold=False, color=DARK, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    """文本框：lines 为字符串或 (文字, 字号, 加粗, 颜色) 列表。"""
    box = slide.shapes.add_textbox(x, y, w, h)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    for i, line in enumerate(lines if isinstance(lines, list) else [lines]):
        text, sz, b, c = (line, size, bold, color) if isinstance(line, str) else line
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = text
        _style(run.font, sz, b, c)
    return box


def _bar(slide: Slide, x1: Length, y1: Length, x2: Length, y2: Length, width: Length) -> None:
    """装饰色条画成粗线（连接线没有文本框，不会留下空文本框）。"""
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, x1, y1, x2, y2)
    line.line.color.rgb = RED
    line.line.width = width


def _frame(prs: PptxPresentation, brief: Brief, title: str, page: int) -> Slide:
    """内容页的版式：左上红色竖条 + 标题，底部页脚（期数、数据截至、统计时刻、数据指纹、页码），备注写完整指纹。"""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _bar(slide, Inches(0.56), Inches(0.42), Inches(0.56), Inches(1.02), Inches(0.12))
    _text(slide, Inches(0.75), Inches(0.3), Inches(12), Inches(0.8), title, size=28, bold=True)
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(0.5), Inches(1.15), Inches(12.83), Inches(1.15))
    line.line.color.rgb = LIGHT
    footer = (
        f"{brief.title} 第{brief.issue_no}期　|　数据截至 {formats.moment(brief.cutoff)}　|　"
        f"统计时刻 {formats.moment(brief.as_of)}　|　数据指纹 {brief.short_digest}"
    )
    _text(slide, Inches(0.5), Inches(7.0), Inches(11.3), Inches(0.35), footer, size=10, color=GREY)
    _text(
        slide,
        Inches(11.9),
        Inches(7.0),
        Inches(0.95),
        Inches(0.35),
        f"{page}",
        size=10,
        color=GREY,
        align=PP_ALIGN.RIGHT,
    )
    slide.notes_slide.notes_text_frame.text = (
        f"{title}。统计区间 {brief.period_text}，上期 {brief.previous_text}。"
        f"数据截至 {formats.moment(brief.cutoff)}；数据指纹 SHA-256 {brief.digest}。"
    )
    return slide


def _add_chart(
    slide: Slide, kind: XL_CHART_TYPE, x: Length, y: Length, w: Length, h: Length, data: CategoryChartData
) -> Chart:
    """在页面上加一张原生图，返回图本身（add_chart 返回的是装着它的图形框）。"""
    # python-pptx 1.0 的标注与文档不符：chart_data 标成已弃用的子类 ChartData，返回值标成 Chart（实际是 GraphicFrame）
    frame = slide.shapes.add_chart(kind, x, y, w, h, data)  # type: ignore[arg-type]
    return frame.chart  # type: ignore[attr-defined]


def _chart_fonts(chart: Chart, size: float = 12) -> None:
    chart.font.size = Pt(size)
    chart.font.name = LATIN_TYPEFACE
    chart.font.color.rgb = DARK
    set_ea(chart.font._rPr)


def _legend(chart: Chart) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False


def _table(
    slide: Slide,
    df: pd.DataFrame,
    x: Length,
    y: Length,
    w: Length,
    *,
    size: float = 13,
    widths: list[float] | None = None,
    header_color: RGBColor = LIGHT,
    header_text: RGBColor = DARK,
    row_h: float = 0.38,
) -> GraphicFrame:
    """原生表格：表头底色、文字一律写值（空值写“—”，不留空单元格）。"""
    rows, cols = len(df) + 1, len(df.columns)
    shape = slide.shapes.add_table(rows, cols, x, y, w, Inches(row_h * rows))
    table = shape.table
    if widths:
        total = sum(widths)
        for i, wt in enumerate(widths):
            table.columns[i].width = Emu(int(w * wt / total))
    for c, name in enumerate(df.columns):
        _cell(table.cell(0, c), str(name), size, True, header_text, header_color)
    for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(row):
            text = (
                "—" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)
            )
            _cell(table.cell(r, c), text, size, False, DARK, WHITE if r % 2 else RGBColor(0xF7, 0xF8, 0xF9))
    return shape


def _cell(cell: _Cell, text: str, size: float, bold: bool, color: RGBColor, fill: RGBColor) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    tf = cell.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    run = p.add_run()
    run.text = text
    _style(run.font, size, bold, color)


def _title_slide(prs: PptxPresentation, brief: Brief) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _bar(slide, Emu(0), Inches(0.175), SLIDE_W, Inches(0.175), Inches(0.35))
    unit = f"{brief.county_name}创建文明城市工作指挥部办公室" if brief.county_name else "创建文明城市工作指挥部办公室"
    lines = [
        (f"第{brief.issue_no}期", 24, True, RED),
        (brief.title, 40, True, DARK),
        ("", 12, False, DARK),
        (f"数据截至 {formats.moment(brief.cutoff)}　|　统计时刻 {formats.moment(brief.as_of)}", 18, False, DARK),
        (f"统计区间 {brief.period_text}", 18, False, DARK),
        (f"本轮：{brief.period.round_name}" if brief.period.round_name else " ", 18, False, DARK),
        ("", 12, False, DARK),
        (unit, 20, False, GREY),
    ]
    if brief.is_demo:
        lines.append(("示例数据：地名、单位和数字均为虚构，仅供演示", 16, True, RED))
    _text(
        slide,
        Inches(1.0),
        Inches(1.5),
        Inches(11.3),
        Inches(4.8),
        [(t or " ", s, b, c) for t, s, b, c in lines],
        align=PP_ALIGN.CENTER,
    )
    _text(
        slide,
        Inches(1.0),
        Inches(6.7),
        Inches(11.3),
        Inches(0.4),
        f"数据指纹（SHA-256）{brief.digest}",
        size=10,
        color=GREY,
        align=PP_ALIGN.CENTER,
    )
    slide.notes_slide.notes_text_frame.text = (
        f"{brief.title} 第{brief.issue_no}期；统计时刻 {formats.moment(brief.as_of)}；数据指纹 SHA-256 {brief.digest}。"
        "同一统计时刻、同一份数据重新生成，数字与指纹相同。"
    )


def _rank_points(brief: Brief) -> list:
    """名次页右侧的要点：最近一轮名次与得分、与上一轮相比、以来最好名次、距目标。"""
    cats, ranks, _ = rank_series(brief)
    scored = [(c, r) for c, r in zip(cats, ranks) if r is not None]
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    last = hist[hist["rank"].notna()].iloc[-1] if hist["rank"].notna().any() else None
    lines = [("要点", 20, True, RED)]
    if last is not None:
        lines.append(
            (
                f"最近一轮（{last['round_name']}）：全省第{int(last['rank'])}名 / 共{int(last['group_size'])}个，"
                f"得分 {formats.points(last['total'])}。",
                16,
                False,
                DARK,
            )
        )
    if len(scored) > 1:
        lines.append(
            (
                f"与上一轮（{scored[-2][0]}）相比：{formats.rank_change(scored[-1][1], scored[-2][1]) or '持平'}。",
                16,
                False,
                DARK,
            )
        )
        best = min(r for _, r in scored)
        lines.append((f"{scored[0][0]}以来最好名次：第{best}名。", 16, False, DARK))
    if brief.target_rank and scored:
        gap = scored[-1][1] - brief.target_rank
        lines.append(
            (
                f"目标：进入全省前{brief.target_rank}名；" + ("已达到。" if gap <= 0 else f"还差 {gap} 个名次。"),
                16,
                True,
                RED if gap > 0 else GREEN,
            )
        )
    lines.append(("名次为竞争排名（并列同名次），缺测轮次不画点；1 在最上。", 12, False, GREY))
    return lines


def rank_axis_scale(max_rank: int) -> tuple[int, int, int]:
    """原生图名次轴（反向，1 在最上）的最小值、最大值与刻度间隔：从 1 起，所以一定有“1”这个刻度；
    10 名以内逐个，更多时每 5 名（1、6、11……）。"""
    step = 1 if max_rank <= 10 else 5
    return 1, 1 + -(-(max_rank - 1) // step) * step, step


def _native_rank_chart(slide: Slide, brief: Brief, x: Length, y: Length, w: Length, h: Length) -> None:
    """没有浏览器（或选择不导出图片）时的名次图：本县名次与目标线的原生折线图。"""
    cats, ranks, max_rank = rank_series(brief)
    data = CategoryChartData(number_format="0")
    data.categories = cats
    data.add_series(f"{brief.county_name}名次", ranks)
    if brief.target_rank:
        data.add_series(f"目标：前{brief.target_rank}名", [brief.target_rank] * len(cats))
    chart = _add_chart(slide, XL_CHART_TYPE.LINE_MARKERS, x, y, w, h, data)
    _chart_fonts(chart)
    _legend(chart)
    axis = chart.value_axis
    axis.reverse_order = True  # 名次 1 在最上
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = rank_axis_scale(max_rank)
    axis.crosses = XL_AXIS_CROSSES.MAXIMUM  # 轴反向后让轮次标签留在底部
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = LIGHT
    axis.tick_labels.number_format = "0"
    axis.tick_labels.number_format_is_linked = False
    plot = chart.plots[0]
    ours = plot.series[0]
    ours.format.line.color.rgb = RED
    ours.format.line.width = Pt(3.5)
    ours.smooth = False
    plot.has_data_labels = True
    plot.data_labels.number_format = '"第"0"名"'
    plot.data_labels.number_format_is_linked = False
    # 名次在目标线之下时标签写在点下方，不压在目标线上
    plot.data_labels.position = (
        XL_LABEL_POSITION.BELOW
        if brief.target_rank and ranks and (ranks[-1] or 0) > brief.target_rank
        else XL_LABEL_POSITION.ABOVE
    )
    _style(plot.data_labels.font, 11, False, DARK)
    if brief.target_rank:
        target = plot.series[1]
        target.format.line.color.rgb = BLUE
        target.format.line.dash_style = 4  # 虚线
        target.marker.style = XL_MARKER_STYLE.NONE
        target.data_labels.show_value = False


def _rank_slide(prs: PptxPresentation, brief: Brief, page: int, png: bool) -> None:
    """一页名次：全组名次走势图（本县、对手与前 N 名，1 在最上，末端名称错开），右侧要点；没有浏览器时用原生图并写明。"""
    slide = _frame(prs, brief, SLIDE_TITLES[1], page)
    cats, _, _ = rank_series(brief)
    hist = _before(brief.frames["rank_history_all"], brief.as_of)
    if not cats and hist.empty:
        _text(
            slide, Inches(0.8), Inches(2.5), Inches(11.5), Inches(1), f"统计时刻之前还没有{ROUND_TYPE}成绩。", size=20
        )
        return
    image = None
    if png:
        # 画布按图框比例取 1000×640，放大 2 倍：插到 8.8 英寸宽时字号与正文相当
        image = rank_png(brief, 1000, 640)
    if image is not None:
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.4), Inches(1.3), width=Inches(8.8))
    elif cats:
        _native_rank_chart(slide, brief, Inches(0.5), Inches(1.3), Inches(8.6), Inches(5.1))
        reason = brief.notes[-1] if brief.notes else "本次生成时选择了不导出图片。"
        _text(
            slide,
            Inches(0.5),
            Inches(6.45),
            Inches(8.6),
            Inches(0.6),
            [(f"只画了本县名次（未插入含对手的全组名次走势图）：{reason}", 11, False, GREY)],
        )
    _text(slide, Inches(9.3), Inches(1.5), Inches(3.6), Inches(5.2), _rank_points(brief))


def _parts_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[2], page)
    cats, series = part_series(brief)
    if not cats:
        _text(
            slide,
            Inches(0.8),
            Inches(2.5),
            Inches(11.5),
            Inches(1),
            "统计时刻之前本县还没有测评成绩或分项成绩。",
            size=20,
        )
        return
    data = CategoryChartData(number_format="0.00")
    data.categories = cats
    for name, values in series.items():
        data.add_series(name, values)
    chart = _add_chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(0.5), Inches(1.3), Inches(8.4), Inches(5.6), data)
    _chart_fonts(chart)
    _legend(chart)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.number_format = "0.0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    _style(plot.data_labels.font, 9, False, DARK)
    for s, color in zip(plot.series, SERIES_COLORS):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = color
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT
    parts = brief.frames["rank_parts"]
    items = rank_trend.part_gap_rows(parts, "测评项目", "组内最高").head(5)
    stats = _before(brief.frames["rank_stats"], brief.as_of)
    latest = rank_trend.latest_scored_round(stats)
    lines = [("差距最大的测评项目（与组内最高比）", 18, True, RED)]
    for _, r in items.iterrows():
        lines.append(
            (
                f"{r['node_name']}：本县 {formats.points(r['our_score'])}，最高 {formats.points(r['best_score'])}，"
                f"差 {formats.points(r['gap'])} 分",
                14,
                False,
                DARK,
            )
        )
    lines.append(
        (
            f"轮次：{latest['round_name'] if latest is not None else '—'}。各分项满分见测评体系；对标单位为本轮其他单位中第 {brief.target_rank or 1} 名。",
            12,
            False,
            GREY,
        )
    )
    _text(slide, Inches(9.1), Inches(1.4), Inches(3.8), Inches(5.4), lines)


def _board_slide(
    prs: PptxPresentation, brief: Brief, page: int, title: str, rows: pd.DataFrame, name_col: str, what: str
) -> None:
    slide = _frame(prs, brief, title, page)
    red, black = league.boards(rows, name_col=name_col)
    for x, label, table, color in (
        (Inches(0.5), "红榜（有资格的前 5 名）", red, RED),
        (Inches(6.85), "黑榜（倒数 5 名）", black, DARK),
    ):
        _text(slide, x, Inches(1.3), Inches(6), Inches(0.5), label, size=20, bold=True, color=color)
        if table.empty:
            _text(
                slide,
                x,
                Inches(1.9),
                Inches(6),
                Inches(1),
                f"本期没有符合红榜资格的{what}。" if color == RED else f"本期参与排名的{what}不足，黑榜为空。",
                size=14,
                color=GREY,
            )
        else:
            _table(
                slide,
                table,
                x,
                Inches(1.9),
                Inches(6.0),
                size=14,
                widths=[1, 3, 1.5, 1.5],
                header_color=color,
                header_text=WHITE,
                row_h=0.45,
            )
    _text(
        slide,
        Inches(0.5),
        Inches(5.5),
        Inches(12.3),
        Inches(1.6),
        [
            (league.participation(rows, what) + (league.shortfall(rows) or ""), 12, True, GREY),
            (league.formula_text(league.Weights.from_setting(settings.get("league_weights"))), 11, False, GREY),
            (
                f"统计区间 {brief.period_text}；变化与{PREVIOUS_WORDS[brief.period.key]}比较。"
                + league.list_rules(league.configured_params()),
                11,
                False,
                GREY,
            ),
        ],
    )


def _map_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    png = export_png.hotspot_map_png(
        brief.frames["boundaries"],
        brief.frames["hot_townships"],
        title=f"{brief.county_name}各镇街问题数",
        subtitle=f"统计区间 {brief.period_text}",
        width=1500,
        height=1000,
    )
    slide.shapes.add_picture(io.BytesIO(png), Inches(0.5), Inches(1.3), height=Inches(5.6))
    hot = brief.frames["hot_summary"].iloc[0]
    total = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    _text(
        slide,
        Inches(9.1),
        Inches(1.3),
        Inches(3.8),
        Inches(0.9),
        [
            (f"期内问题 {formats.count(hot['problems'])} 条", 18, True, RED),
            (
                # 先写存量（与各页、逾期页同一个数），期内发现的流量写在后面
                f"全县{time_windows.OVERDUE_STOCK} {formats.count(total['overdue_now'])} 条、"
                f"{time_windows.IN_WORK_STOCK} {formats.count(total['open_now'])} 条；"
                f"{PREVIOUS_WORDS[brief.period.key]} {formats.count(hot['problems_prev'])} 条；"
                f"期内发现的问题中仍在办 {formats.count(hot['open_now'])}、"
                f"{time_windows.FOUND_OVERDUE} {formats.count(hot['overdue_now'])}",
                13,
                False,
                DARK,
            ),
        ],
    )
    _table(
        slide,
        hot_townships_table(brief),
        Inches(9.1),
        Inches(2.4),
        Inches(3.8),
        size=11,
        widths=[2.2, 1.2, 1, 1, 1],
        row_h=0.4,
    )


def _overdue_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    cats, series = overdue_series(brief)
    total = brief.frames["summary"].query("grouping_kind == '合计'").iloc[0]
    if not cats:
        _text(
            slide,
            Inches(0.8),
            Inches(2.5),
            Inches(11.5),
            Inches(1),
            "截至统计时刻没有逾期（存量）的问题。",
            size=20,
            color=GREEN,
        )
        return
    data = CategoryChartData(number_format="0")
    data.categories = list(reversed(cats))  # 条形图自下而上：反过来让逾期最多的在最上
    for name, values in series.items():
        data.add_series(name, list(reversed(values)))
    chart = _add_chart(slide, XL_CHART_TYPE.BAR_STACKED, Inches(0.5), Inches(1.3), Inches(8.8), Inches(5.6), data)
    _chart_fonts(chart, 12)
    _legend(chart)
    plot = chart.plots[0]
    plot.gap_width = 50
    for s, color in zip(plot.series, OVERDUE_COLORS):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = color
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT
    chart.value_axis.tick_labels.number_format = "0"
    chart.value_axis.tick_labels.number_format_is_linked = False
    _text(
        slide,
        Inches(9.5),
        Inches(1.4),
        Inches(3.4),
        Inches(5.4),
        [
            (f"全县{time_windows.OVERDUE_STOCK} {formats.count(total['overdue_now'])} 条", 20, True, RED),
            (f"{time_windows.IN_WORK_STOCK} {formats.count(total['open_now'])} 条", 15, False, DARK),
            (f"图中为逾期最多的 {len(cats)} 个牵头单位，按逾期天数分段。", 13, False, DARK),
            (
                "逾期（存量）：截至统计时刻未销号且整改期限早于统计时刻，不论何时发现；无期限的问题不计逾期。按牵头单位归属，"
                "整改记录顺序存疑的问题不计入（见红黑榜页数据质量）。",
                12,
                False,
                GREY,
            ),
        ],
    )


def _rebound_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    hot = brief.frames["hot_summary"].iloc[0]
    days = settings.get("rebound_days")
    _text(
        slide,
        Inches(0.5),
        Inches(1.25),
        Inches(12.3),
        Inches(0.8),
        [
            (
                f"期内反弹 {formats.count(hot['rebounds'])} 条：同一点位、同一类别的问题在上一次销号后 {days} 天内再次发现，"
                f"或销号后 {days} 天内被反弹重开。下表为最新的 {min(REBOUND_ROWS, int(hot['rebounds']))} 条。",
                14,
                False,
                DARK,
            )
        ],
    )
    table = rebound_table(brief)
    if table.empty:
        _text(slide, Inches(0.5), Inches(2.2), Inches(12), Inches(1), "本期没有反弹问题。", size=18, color=GREEN)
        return
    _table(
        slide, table, Inches(0.5), Inches(2.05), Inches(12.3), size=12, widths=[1.7, 1.9, 2.4, 1.3, 1.9, 1.1], row_h=0.4
    )


def _changes_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    table = changes_table(brief)
    _table(slide, table, Inches(0.5), Inches(1.4), Inches(8.5), size=15, widths=[3.0, 1.2, 1.2, 1.8], row_h=0.55)
    units = brief.frames["league_units"]
    moved = units[units["rank_change"].notna() & (units["rank_change"] != 0)]
    up = moved.sort_values(["rank_change", "unit_name"], ascending=[False, True]).head(3)
    down = moved.sort_values(["rank_change", "unit_name"], ascending=[True, True]).head(3)
    lines = [("红黑榜名次变化最大的单位", 18, True, RED)]
    lines += [
        (f"↑ {r['unit_name']}：第{int(r['prev_rank'])}名 → 第{int(r['rank'])}名", 14, False, GREEN)
        for _, r in up.iterrows()
        if r["rank_change"] > 0
    ]
    lines += [
        (f"↓ {r['unit_name']}：第{int(r['prev_rank'])}名 → 第{int(r['rank'])}名", 14, False, RED)
        for _, r in down.iterrows()
        if r["rank_change"] < 0
    ]
    if len(lines) == 1:
        lines.append(("与上期相比名次没有变化（或上期无可比数据）。", 14, False, DARK))
    lines.append(
        (f"本期 {brief.period_text}；{PREVIOUS_WORDS[brief.period.key]} {brief.previous_text}。", 12, False, GREY)
    )
    _text(slide, Inches(9.3), Inches(1.4), Inches(3.6), Inches(5.4), lines)


def _sources_slide(prs: PptxPresentation, brief: Brief, page: int) -> None:
    slide = _frame(prs, brief, SLIDE_TITLES[page - 1], page)
    lines = [
        (
            f"统计时刻 {formats.moment(brief.as_of)}；数据截至 {formats.moment(brief.cutoff)}；"
            f"统计区间 {brief.period_text}。",
            13,
            False,
            DARK,
        ),
        (f"数据指纹（SHA-256）：{brief.digest}", 12, False, DARK),
        (
            "同一统计时刻、同一份数据重新生成本通报，所有数字与数据指纹都相同；数据有更新时指纹随之改变。",
            12,
            False,
            GREY,
        ),
        ("", 8, False, DARK),
    ]
    for name in DEFINITION_QUERIES:
        for m in queries.load(name).metrics[:3]:
            lines.append((f"{m.name}：{m.text}", 11, False, DARK))
    _text(slide, Inches(0.5), Inches(1.3), Inches(12.3), Inches(5.6), lines)


def deck(brief: Brief, *, png: bool = True) -> bytes:
    """把一期通报画成 16:9 PPTX（字节）。png=False 时不调用浏览器（复杂图改用原生图并写明）。"""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _title_slide(prs, brief)
    _rank_slide(prs, brief, 2, png)
    _parts_slide(prs, brief, 3)
    units = brief.frames["league_units"]
    # 部门按牵头的问题、镇街按辖区里的问题各排一次：一个镇街只有一个评价（块不另列属地单位榜）
    _board_slide(prs, brief, 4, SLIDE_TITLES[3], units[units["kind"] == "条"], "unit_name", "部门")
    _board_slide(prs, brief, 5, SLIDE_TITLES[4], brief.frames["league_townships"], "township_name", "镇街")
    _map_slide(prs, brief, 6)
    _overdue_slide(prs, brief, 7)
    _rebound_slide(prs, brief, 8)
    _changes_slide(prs, brief, 9)
    risk.slide(prs, brief, 10, _frame, _text, _table)
    _sources_slide(prs, brief, 11)

    stamp(prs.core_properties, brief)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
