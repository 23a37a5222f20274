"""幻灯片的积木：颜色与字体、文本框、色条、内容页版式（标题、页脚、备注）、原生图表的字体与图例、原生表格。

中文字体写进 XML 的 `<a:ea>`（python-pptx 的 font.name 只写 `<a:latin>`），PowerPoint 与 LibreOffice 都能显示中文。
deck 从这里取用（名字照旧，也可从 deck 导入）。"""

from __future__ import annotations

import pandas as pd
from lxml import etree
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.table import _Cell
from pptx.text.text import Font
from pptx.util import Emu, Inches, Length, Pt

from chuangwen import formats
from chuangwen.briefing.figures import Brief

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
