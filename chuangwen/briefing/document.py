"""周通报文稿（Word）：按文本模板（tongbao.txt，办公室可复制改写）与一期通报的数据（Brief）写成 .docx（Issue 18）。

版式参照 GB/T 9704-2012《党政机关公文格式》里一份通报用得到的部分：A4，上 37 毫米、下 35 毫米、左 28 毫米、右 26 毫米；
版头发文机关红色小标宋、期号、日期，下面一条红线；标题二号小标宋居中；正文三号仿宋，一级标题黑体、二级标题楷体；
页码四号宋体“— 1 —”，单页居右、双页居左。中文字体写在东亚字体槽（w:eastAsia）里，Word 与 LibreOffice 都按中文字体显示，
没装仿宋_GB2312 等字体的电脑按系统的中文字体替代。

数字只来自 Brief（与幻灯片同一批查询、同一个数据指纹）；模板只管文字。取不到的数字写【待补：名称】，不写错的数。
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from chuangwen import formats, league, settings, supervision
from chuangwen.briefing import risk
from chuangwen.briefing.figures import (
    PERIOD_WORDS,
    PERIODS,
    PREVIOUS_WORDS,
    Brief,
    _before,
    rank_png,
    rank_series,
    stamp,
)
from chuangwen.escape import office_text
from chuangwen.formats import Number

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

DEFAULT_TEMPLATE = Path(__file__).with_name("tongbao.txt")
KINDS = (
    "发文机关",
    "期号",
    "日期",
    "标题",
    "主送",
    "正文",
    "一级标题",
    "二级标题",
    "表格",
    "图",
    "附件",
    "落款",
    "落款日期",
)
PICTURES = ("名次走势",)  # 【图】能放的图：与幻灯片同一个 PNG 渲染（没有浏览器时写明没插图的原因）
FIGURES = (
    "县名",
    "年份",
    "期数",
    "周期",
    "上期",
    "统计区间",
    "发文日期",
    "数据截至",
    "新增交办",
    "销号",
    "按期销号率",
    "按期销号率变化",
    "未销号",
    "逾期",
    "逾期30天以上",
    "逾期30天以上单位",
    "7天内到期",
    "反弹",
    "反弹点位",
    "红榜部门",
    "黑榜部门",
    "红榜镇街",
    "黑榜镇街",
    "红黑榜规则",
    "全省名次",
    "数据指纹",
    *risk.FIGURES,
)
TABLES = ("红黑榜·部门", "红黑榜·镇街", "逾期·按单位", "反弹点位", "逾期问题清单", risk.TABLE)

# 字体（东亚槽）；西文数字用 Times New Roman
FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT, TITLE_PT, HEAD_PT, LINE_PT = 16, 22, 24, 28  # 三号、二号、版头（一行放得下发文机关全称）、固定行距
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateError(ValueError):
    """模板写错了（不认识的类型、数字名或表名，花括号不配对）：中文消息写明哪一行。"""


@dataclass(frozen=True)
class Line:
    kind: str
    text: str
    number: int


_LINE = re.compile(r"^【([^】]+)】\s*(.*)$")
_FIELD = re.compile(r"\{([^{}]*)\}")


def parse_template(text: str, source: str = "tongbao.txt") -> list[Line]:
    """模板 → 各行；写错时抛 TemplateError，消息写明第几行、错在哪。"""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"通报模板 {source} 第 {number} 行"
        m = _LINE.match(line)
        if m is None:
            raise TemplateError(f"{where}：应以【类型】开头（如【正文】），实际为“{line[:20]}”")
        kind, body = m.group(1), m.group(2)
        if kind not in KINDS:
            raise TemplateError(f"{where}：不认识的类型【{kind}】；可用：{'、'.join(KINDS)}")
        if body.count("{") != body.count("}") or _FIELD.sub("", body).count("{") or _FIELD.sub("", body).count("}"):
            raise TemplateError(f"{where}：花括号不配对（数字写成 {{名称}}）")
        for name in _FIELD.findall(body):
            if name not in FIGURES:
                raise TemplateError(f"{where}：不认识的数字 {{{name}}}；可用：{'、'.join(FIGURES)}")
        if kind == "图" and body not in PICTURES:
            raise TemplateError(f"{where}：不认识的图“{body}”；可用：{'、'.join(PICTURES)}")
        if kind == "表格" and body not in TABLES:
            raise TemplateError(f"{where}：不认识的表“{body}”；可用：{'、'.join(TABLES)}")
        if kind == "附件":
            title, _, table = body.partition("|")
            if table.strip() not in TABLES:
                raise TemplateError(f"{where}：附件写成“附件名|表名”，表名可用：{'、'.join(TABLES)}")
        lines.append(Line(kind, body, number))
    return lines


def load_template() -> tuple[str, str]:
    """模板文字与来源：设置 CHUANGWEN_BRIEF_TEMPLATE 指向办公室自己的一份，没有时用内置的 tongbao.txt。"""
    path = Path(settings.get("brief_template") or DEFAULT_TEMPLATE)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"读不了通报模板 {path}：{exc}") from None


# ---------------------------------------------------------------- 数字（纯数据，测试直接核对）


def chinese_count(n: Number | None) -> str | None:
    """计数：一万以下写数字，一万以上写“1.23 万”。"""
    if n is None or pd.isna(n):
        return None
    n = int(n)
    if n < 10000:
        return str(n)
    return f"{n / 10000:.2f}".rstrip("0").rstrip(".") + " 万"


def _names(rows: pd.DataFrame, empty: str) -> str:
    return "、".join(str(v) for v in rows["名称"]) if len(rows) else empty


def figures(brief: Brief) -> dict[str, str | None]:
    """模板里每个 {名称} 的文字（取不到的为 None，写成【待补：名称】）。"""
    now = brief.frames["summary"].query("grouping_kind == '合计'")
    before = brief.frames["summary_prev"].query("grouping_kind == '合计'")
    hot = brief.frames["hot_summary"].iloc[0]
    ledger = brief.frames["ledger_summary"].iloc[0] if len(brief.frames.get("ledger_summary", ())) else None
    out: dict[str, str | None] = dict.fromkeys(FIGURES)
    out.update(
        {
            "县名": brief.county_name or None,
            "年份": str(brief.as_of.year),
            "期数": str(brief.issue_no),
            "周期": PERIOD_WORDS[brief.period.key],
            "上期": PREVIOUS_WORDS[brief.period.key],
            "统计区间": brief.period_text,
            "发文日期": formats.day(brief.as_of.date()),
            "数据截至": formats.moment(brief.cutoff),
            "新增交办": chinese_count(hot["problems"]),
            "反弹": chinese_count(hot["rebounds"]),
            "数据指纹": brief.short_digest,
            "红黑榜规则": league.list_rules(league.configured_params()),
        }
    )
    if len(now):
        t = now.iloc[0]
        out["销号"] = chinese_count(t["closed_in_period"])
        out["未销号"] = chinese_count(t["open_now"])
        out["逾期"] = chinese_count(t["overdue_now"])
        out["按期销号率"] = (
            formats.rate(t["closed_on_time_in_period"], t["closed_in_period"])
            if t["closed_in_period"]
            else "—（期内没有销号）"
        )
        if len(before):
            b = before.iloc[0]
            change = formats.rate_change(
                t["closed_on_time_in_period"],
                t["closed_in_period"],
                b["closed_on_time_in_period"],
                b["closed_in_period"],
            )
            out["按期销号率变化"] = "无可比数据" if change == "—" else change
    if ledger is not None:
        out["逾期30天以上"] = chinese_count(ledger["overdue_over_30"])
        out["7天内到期"] = chinese_count(ledger["due_this_week"])
    late = brief.frames.get("overdue_list")
    if late is not None:
        long = late[late["days_overdue"] > 30]
        by_unit = long.groupby("lead_unit").size().sort_values(ascending=False, kind="stable")
        by_unit = by_unit.reindex(sorted(by_unit.index, key=lambda u: (-by_unit[u], u)))
        shown = "、".join(f"{u} {n} 条" for u, n in by_unit.head(5).items())
        out["逾期30天以上单位"] = (
            "无" if by_unit.empty else shown + (f" 等 {len(by_unit)} 个单位" if len(by_unit) > 5 else "")
        )
    rebounds = brief.frames["rebounds"]
    sites = rebounds["site_name"].dropna().value_counts(sort=False)
    sites = sites.reindex(sorted(sites.index, key=lambda s: (-sites[s], s)))
    word = PERIOD_WORDS[brief.period.key]
    if rebounds.empty:
        out["反弹点位"] = f"{word}没有发现反弹问题。"
    elif len(sites):
        # 通报取最近的若干条反弹问题（与幻灯片的反弹清单同一批），写它们的点位
        out["反弹点位"] = (
            f"{word}反弹问题 {chinese_count(hot['rebounds'])} 条，最近的 {len(rebounds)} 条出现在："
            + "、".join(f"{s}（{n} 条）" if n > 1 else s for s, n in sites.items())
            + "。"
        )
    else:
        out["反弹点位"] = (
            f"{word}反弹问题 {chinese_count(hot['rebounds'])} 条，最近的 {len(rebounds)} 条都没有登记点位。"
        )
    tables = boards(brief)
    for key, table in (("部门", "红黑榜·部门"), ("镇街", "红黑榜·镇街")):
        rows = tables[table]
        out[f"红榜{key}"] = _names(rows[rows["榜别"] == "红榜"], "无（没有符合资格的单位）")
        out[f"黑榜{key}"] = _names(rows[rows["榜别"] == "黑榜"], "无")
    ranks = [r for r in rank_series(brief)[1] if r is not None]
    hist = _before(brief.frames["rank_history_ours"], brief.as_of)
    scored = hist[hist["rank"].notna()]
    if ranks and len(scored):
        last = scored.iloc[-1]
        out["全省名次"] = (
            f"在全省 {int(last['group_size'])} 个县（市、区）中排第 {int(last['rank'])} 名（{last['round_name']}）"
        )
    out.update(risk.words(brief))
    return out


def boards(brief: Brief) -> dict[str, pd.DataFrame]:
    """两张红黑榜（部门按牵头、镇街按辖区；与红黑榜页同一构建 league.boards：名次、名称、综合得分、变化），红榜在前、黑榜在后。"""
    units, towns = brief.frames["league_units"], brief.frames["league_townships"]
    out = {}
    for table, rows, name_col in (
        ("红黑榜·部门", league.of_kind(units, "条"), "unit_name"),
        ("红黑榜·镇街", towns, "township_name"),
    ):
        red, black = league.boards(rows, name_col=name_col)
        out[table] = pd.concat([red.assign(榜别="红榜"), black.assign(榜别="黑榜")], ignore_index=True)[
            ["榜别", "名次", "名称", "综合得分", "变化"]
        ]
    return out


def tables(brief: Brief) -> dict[str, pd.DataFrame]:
    """模板里能放的表（Word 表格的内容；空表在文档里写“无”）。"""
    out = boards(brief)
    units = brief.frames["league_units"]
    late = units[units["overdue"] > 0].sort_values(["overdue", "unit_name"], ascending=[False, True])
    out["逾期·按单位"] = pd.DataFrame(
        {
            "牵头单位": late["unit_name"].to_numpy(),
            "逾期（存量）": late["overdue"].astype(int).to_numpy(),
            "逾期1–7天": late["overdue_1_7"].astype(int).to_numpy(),
            "逾期8–30天": late["overdue_8_30"].astype(int).to_numpy(),
            "逾期30天以上": late["overdue_over_30"].astype(int).to_numpy(),
        }
    )
    from chuangwen.briefing.figures import rebound_table

    out["反弹点位"] = rebound_table(brief)
    ledger = supervision.display_ledger(brief.frames["overdue_list"])
    out["逾期问题清单"] = ledger[["问题编号", "镇街", "问题描述", "牵头单位", "整改期限", "逾期天数"]]
    out.update(risk.tables(brief))
    return out


def fill(text: str, values: dict[str, str | None]) -> str:
    """{名称} → 数字文字；取不到的写【待补：名称】。"""
    return _FIELD.sub(lambda m: values.get(m.group(1)) or f"【待补：{m.group(1)}】", text)


# ---------------------------------------------------------------- Word


def _fonts(run: Run, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    if color is not None:
        run.font.color.rgb = color


def _para(
    doc: DocxDocument,
    text: str,
    east_asia: str = FANGSONG,
    size: float = BODY_PT,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    bold: bool = False,
    color: RGBColor | None = None,
    before: float = 0,
    after: float = 0,
    exact: float | None = LINE_PT,
) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # 首行空两个字
    _fonts(p.add_run(office_text(text)), east_asia, size, bold=bold, color=color)
    return p


def _red_rule(paragraph: Paragraph) -> None:
    """版头下的红色分隔线（段落下边框）。"""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _page_number(paragraph: Paragraph, size: float = 14) -> None:
    """页码“— 1 —”（四号宋体）。"""
    _fonts(paragraph.add_run(office_text("— ")), SONG, size)
    run = paragraph.add_run()
    _fonts(run, SONG, size)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _fonts(paragraph.add_run(office_text(" —")), SONG, size)


# 各表的列宽（厘米，合计不超过版心 15.6 厘米）；没列出的表按内容自动
WIDTHS_CM = {"逾期问题清单": (2.4, 1.8, 5.6, 2.2, 2.4, 1.2)}


def _table(doc: DocxDocument, df: pd.DataFrame, size: float = 12, widths: tuple[float, ...] | None = None) -> None:
    """一张 Word 表：表头每页重复，没有行时写“无”。"""
    rows = max(len(df), 1)
    table = doc.add_table(rows=rows + 1, cols=len(df.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths and not df.empty:
        table.autofit = False
        for column, cm in zip(table.columns, widths):  # 网格列宽（LibreOffice 看它）与每格宽度（Word 看它）都写
            column.width = Mm(cm * 10)
        for row in table.rows:
            for cell, cm in zip(row.cells, widths):
                cell.width = Mm(cm * 10)
    header = table.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, name in zip(header.cells, df.columns):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(office_text(str(name))), HEITI, size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if df.empty:
        merged = (
            table.rows[1].cells[0].merge(table.rows[1].cells[-1]) if len(df.columns) > 1 else table.rows[1].cells[0]
        )
        merged.text = ""
        _fonts(merged.paragraphs[0].add_run(office_text("无")), FANGSONG, size)
        merged.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        return
    for r, values in enumerate(df.itertuples(index=False), start=1):
        for cell, value in zip(table.rows[r].cells, values):
            cell.text = ""
            shown = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            _fonts(cell.paragraphs[0].add_run(office_text(shown)), FANGSONG, size)


def _setup(doc: DocxDocument, brief: Brief) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    # 页码：单页居右、双页居左（各空一字）；下面一行小字写统计时刻与数据指纹
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
        _page_number(p)
        note = footer.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line = f"数据截至 {formats.moment(brief.cutoff)}　数据指纹 {brief.short_digest}"
        _fonts(note.add_run(office_text(line)), FANGSONG, 8, color=RGBColor(0x78, 0x78, 0x78))


def document(brief: Brief, lines: list[Line], *, png: bool = True) -> bytes:
    """按模板的各行写 .docx（字节）；png=False 时不调用浏览器，【图】处写明没插图。"""
    values = figures(brief)
    data = tables(brief)
    doc = Document()
    _setup(doc, brief)
    for line in lines:
        text = fill(line.text, values)
        if line.kind == "发文机关":
            _para(doc, text, XIAOBIAOSONG, HEAD_PT, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, exact=None, after=6)
        elif line.kind == "期号":
            _para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif line.kind == "日期":
            _red_rule(_para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12))
        elif line.kind == "标题":
            _para(doc, text, XIAOBIAOSONG, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=36, before=12, after=12)
        elif line.kind == "主送":
            _para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
        elif line.kind == "正文":
            _para(doc, text, indent=True)
        elif line.kind == "一级标题":
            _para(doc, text, HEITI, BODY_PT, indent=True)
        elif line.kind == "二级标题":
            _para(doc, text, KAITI, BODY_PT, indent=True)
        elif line.kind == "表格":
            _table(doc, data[line.text], widths=WIDTHS_CM.get(line.text))
            _para(doc, "", exact=None)
        elif line.kind == "图":
            image = rank_png(brief, 1000, 560) if png else None
            if image is not None:
                doc.add_picture(io.BytesIO(image), width=Mm(156))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                why = brief.notes[-1] if png and brief.notes else "本次生成时选择了不导出图片，或还没有测评成绩。"
                _para(
                    doc,
                    f"（此处未插入{line.text}图：{why}）",
                    FANGSONG,
                    10.5,
                    align=WD_ALIGN_PARAGRAPH.CENTER,
                    color=RGBColor(0x78, 0x78, 0x78),
                    exact=None,
                )
        elif line.kind == "附件":
            title, _, table = (part.strip() for part in line.text.partition("|"))
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _para(doc, "附件", HEITI, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
            _para(doc, fill(title, values), XIAOBIAOSONG, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=36, after=12)
            _table(doc, data[table], size=10.5, widths=WIDTHS_CM.get(table))
        elif line.kind == "落款":
            _para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, before=24)
        elif line.kind == "落款日期":
            _para(doc, text, FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    stamp(doc.core_properties, brief)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build(brief: Brief, template: str | None = None, source: str | None = None, *, png: bool = True) -> bytes:
    """一期通报的 Word 文稿（字节）；template 为 None 时按设置读模板。模板写错时抛 TemplateError，不生成文档。"""
    if template is None:
        template, source = load_template()
    return document(brief, parse_template(template, source or "（给定的模板）"), png=png)


def file_name(brief: Brief) -> str:
    return f"{brief.county_name}{PERIODS[brief.period.key]}_第{brief.issue_no}期_{brief.as_of:%Y%m%d}.docx"


def pdf_available() -> bool:
    return shutil.which("soffice") is not None


def to_pdf(docx: bytes, timeout: int = 180) -> bytes:
    """LibreOffice（soffice --headless）把 .docx 转成 PDF；没装时抛 RuntimeError（中文）。"""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError(
            "服务器上没有 LibreOffice（soffice），不能转 PDF；请下载 Word 版，或装上 LibreOffice 的文字处理部分"
            "（apt-get install libreoffice-writer）。"
        )
    with tempfile.TemporaryDirectory(prefix="chuangwen-pdf-") as tmp:
        src = Path(tmp) / "tongbao.docx"
        src.write_bytes(docx)
        profile = Path(tmp) / "profile"
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 转 PDF 超过 {timeout} 秒没有完成，请稍后再试或下载 Word 版。") from None
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["（没有输出）"]
            raise RuntimeError(f"LibreOffice 转 PDF 失败（退出码 {exc.returncode}）：{detail[0][:200]}") from None
        out = Path(tmp) / "tongbao.pdf"
        if not out.exists():
            raise RuntimeError("LibreOffice 没有生成 PDF（可能缺少文字处理组件：apt-get install libreoffice-writer）。")
        return out.read_bytes()


__all__ = [
    "DEFAULT_TEMPLATE",
    "DOCX_MIME",
    "TemplateError",
    "build",
    "figures",
    "tables",
    "boards",
    "fill",
    "parse_template",
    "file_name",
    "pdf_available",
    "to_pdf",
    "chinese_count",
]
