"""公文版式的 Word 积木（通报与督办单共用）：GB/T 9704-2012 的页面、字体、段落、表格、版记与页码，以及 LibreOffice 转 PDF。

- 字体写在东亚字体槽（w:eastAsia），西文与数字用 Times New Roman；办公室电脑上的 Word 用公文字体，服务器转 PDF 时
  LibreOffice 按 fonts.conf 的对照用开源字体（FONT_STAND_INS），PDF 里是四种不同的中文字体。
- 印出来不散：表格每行不跨页（cantSplit）、表头每页重复、单元格垂直居中；标题与下一段同页（keepNext）、孤行控制；
  编号与日期里的连字符不断行（w:noBreakHyphen）；中西文之间不自动加空（autoSpaceDE/DN），同一行的汉字与数字居中对齐。
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from chuangwen.escape import office_text

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

# 字体（东亚槽）；西文数字用 Times New Roman
FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
# 公文字体 → 服务器转 PDF 时的开源替身（fonts.conf 的对照；README 照此说明）。模板的【字体】只能用这里的名字
FONT_STAND_INS = {
    XIAOBIAOSONG: "Noto Serif CJK SC 粗体（fonts-noto-cjk）",
    "方正小标宋_GBK": "Noto Serif CJK SC 粗体（fonts-noto-cjk）",
    SONG: "Noto Serif CJK SC（fonts-noto-cjk）",
    FANGSONG: "AR PL UMing CN（fonts-arphic-uming）",
    "仿宋": "AR PL UMing CN（fonts-arphic-uming）",
    HEITI: "Noto Sans CJK SC（fonts-noto-cjk）",
    KAITI: "霞鹜文楷 LXGW WenKai（fonts-lxgw-wenkai；没有时 AR PL UKai CN，fonts-arphic-ukai）",
    "楷体": "霞鹜文楷 LXGW WenKai（fonts-lxgw-wenkai；没有时 AR PL UKai CN，fonts-arphic-ukai）",
}
FONTS_CONF = Path(__file__).with_name("fonts.conf")

RED = RGBColor(0xE6, 0x00, 0x12)
GREY = RGBColor(0x78, 0x78, 0x78)
BODY_PT, TITLE_PT, HEAD_PT, LINE_PT = 16, 22, 24, 28  # 三号、二号、版头（一行放得下发文机关全称）、固定行距
IMPRINT_PT = 14  # 版记：四号仿宋
TEXT_WIDTH_MM = 156  # 版心宽：210 − 28 − 26
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# 元素在父元素里的先后（WordprocessingML 架构要求的顺序；Word 对顺序错的文件会报错）
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
_TRPR_ORDER = [
    "cnfStyle",
    "divId",
    "gridBefore",
    "gridAfter",
    "wBefore",
    "wAfter",
    "cantSplit",
    "trHeight",
    "tblHeader",
    "tblCellSpacing",
    "jc",
    "hidden",
]


def _set(parent: BaseOxmlElement, tag: str, order: Sequence[str], **attrs: str) -> BaseOxmlElement:
    """在 parent 里放一个 w:tag（已有就改），按架构顺序插到后继元素之前。"""
    el = parent.find(qn(f"w:{tag}"))
    if el is None:
        el = OxmlElement(f"w:{tag}")
        later = order[order.index(tag) + 1 :]
        parent.insert_element_before(el, *(f"w:{t}" for t in later))
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def print_friendly(paragraph: Paragraph, *, keep_next: bool = False) -> None:
    """印出来不散的段落：孤行控制、中西文之间不自动加空、汉字与数字在行内居中对齐；keep_next 时与下一段同页。"""
    ppr = paragraph._p.get_or_add_pPr()
    if keep_next:
        _set(ppr, "keepNext", _PPR_ORDER)
    _set(ppr, "widowControl", _PPR_ORDER)
    _set(ppr, "autoSpaceDE", _PPR_ORDER, val="0")
    _set(ppr, "autoSpaceDN", _PPR_ORDER, val="0")
    _set(ppr, "textAlignment", _PPR_ORDER, val="center")


def set_fonts(run: Run, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    """一段文字的字体：东亚槽 east_asia，西文与数字 Times New Roman，语言标成简体中文。"""
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    if color is not None:
        run.font.color.rgb = color


_HYPHEN_IN_TOKEN = re.compile(r"(?<=[0-9A-Za-z])-(?=[0-9A-Za-z])")


def add_text(
    paragraph: Paragraph,
    text: str,
    east_asia: str,
    size: float,
    *,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Run:
    """在段落里加一段文字；编号、日期里的连字符写成不断行的连字符（WT2025-003068 不会在“-”处折行）。"""
    run = paragraph.add_run()
    set_fonts(run, east_asia, size, bold=bold, color=color)
    parts = _HYPHEN_IN_TOKEN.split(office_text(text))
    for i, part in enumerate(parts):
        if i:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        if part:
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = part
            run._r.append(t)
    return run


def para(
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
    keep_next: bool = False,
    new_page: bool = False,
) -> Paragraph:
    """一段文字（三号仿宋、固定行距 28 磅、两端对齐）；indent 时首行空两个字；keep_next 时与下一段同页（标题用）；
    new_page 时另起一页（段前分页：上一页恰好写满时也不会多出一张空白页，单独一段分页符会）。"""
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    print_friendly(p, keep_next=keep_next)
    if new_page:
        _set(p._p.get_or_add_pPr(), "pageBreakBefore", _PPR_ORDER)
    if text:
        add_text(p, text, east_asia, size, bold=bold, color=color)
    return p


def red_rule(paragraph: Paragraph) -> None:
    """版头下的红色分隔线（段落下边框）。"""
    ppr = paragraph._p.get_or_add_pPr()
    border = _set(ppr, "pBdr", _PPR_ORDER)
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    border.append(bottom)


def page_number(paragraph: Paragraph, size: float = 14) -> None:
    """页码“— 1 —”（四号宋体）。"""
    set_fonts(paragraph.add_run(office_text("— ")), SONG, size)
    run = paragraph.add_run()
    set_fonts(run, SONG, size)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    set_fonts(paragraph.add_run(office_text(" —")), SONG, size)


def setup_page(doc: DocxDocument, footnote: str) -> None:
    """A4，上 37、下 35、左 28、右 26 毫米；正文默认三号仿宋；页码单页居右、双页居左，下面一行小字（数据截至、指纹）。"""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
        page_number(p)
        note = footer.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_fonts(note.add_run(office_text(footnote)), FANGSONG, 8, color=GREY)


def _row_rules(row_tr: BaseOxmlElement, *, header: bool) -> None:
    trpr = row_tr.get_or_add_trPr()
    _set(trpr, "cantSplit", _TRPR_ORDER)  # 一行不跨页
    if header:
        _set(trpr, "tblHeader", _TRPR_ORDER, val="true")  # 表头每页重复


def _cell_text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def table(
    doc: DocxDocument,
    df: pd.DataFrame,
    size: float = 12,
    widths: Sequence[float] | None = None,
    *,
    align: Sequence[str] | None = None,
    empty: str = "无",
) -> Table:
    """一张 Word 表：表头黑体、每页重复，每行不跨页，单元格垂直居中；没有行时合并成一格写 empty。
    widths 为各列厘米（合计不超过版心 15.6 厘米）；align 为各列 "l"/"c"/"r"（默认数字列居中、文字列居左）。"""
    rows = max(len(df), 1)
    t = doc.add_table(rows=rows + 1, cols=len(df.columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(t, Mm(1))
    if widths:
        t.autofit = False
        for column, cm in zip(t.columns, widths):  # 网格列宽（LibreOffice 看它）与每格宽度（Word 看它）都写
            column.width = Mm(cm * 10)
        for row in t.rows:
            for cell, cm in zip(row.cells, widths):
                cell.width = Mm(cm * 10)
    for i, row in enumerate(t.rows):
        _row_rules(row._tr, header=i == 0)
        for cell in row.cells:
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    for cell, name in zip(t.rows[0].cells, df.columns):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        print_friendly(p)
        add_text(p, str(name), HEITI, size)
    if df.empty:
        merged = t.rows[1].cells[0].merge(t.rows[1].cells[-1]) if len(df.columns) > 1 else t.rows[1].cells[0]
        p = merged.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        print_friendly(p)
        add_text(p, empty, FANGSONG, size)
        return t
    kinds = list(align) if align else ["c" if pd.api.types.is_numeric_dtype(df[c]) else "l" for c in df.columns]
    where = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    # 逐行取格子：table.rows[r].cells 每次都要重排整张表，行多时慢；这里按行对象一次取完
    for row, values in zip(t.rows[1:], df.itertuples(index=False)):
        for cell, value, kind in zip(row.cells, values, kinds):
            p = cell.paragraphs[0]
            p.alignment = where[kind]
            print_friendly(p)
            add_text(p, _cell_text(value), FANGSONG, size)
    return t


def _cell_margins(t: Table, side: Length) -> None:
    """单元格左右留白（默认约 1.9 毫米，窄列里放不下编号）。"""
    mar = OxmlElement("w:tblCellMar")
    for name in ("left", "right"):
        el = OxmlElement(f"w:{name}")
        el.set(qn("w:w"), str(int(side.twips)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    t._tbl.tblPr.insert_element_before(mar, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _borders(t: Table, sides: Iterable[tuple[str, int]]) -> None:
    """表格的边线：(边, 线宽以 1/8 磅计)，0 为不画。"""
    borders = OxmlElement("w:tblBorders")
    for side, eighths in sides:
        el = OxmlElement(f"w:{side}")
        if eighths:
            for key, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "0"), ("w:color", "000000")):
                el.set(qn(key), value)
        else:
            el.set(qn("w:val"), "nil")
        borders.append(el)
    t._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")


def imprint(doc: DocxDocument, copy_to: str | None, issuer: str, issued: str) -> None:
    """版记（GB/T 9704 §7.4）：抄送一行、印发机关与印发日期一行，四号仿宋；首末两条粗线（0.35 毫米）、中间细线（0.25 毫米）。
    做成一张两行（没有抄送时一行）的无竖线表，整块不跨页，紧跟在全文之后，总在最后一页。"""
    gap = para(doc, "", exact=None, before=18, keep_next=True)
    gap.paragraph_format.keep_with_next = True
    lines = ([("抄送", copy_to)] if copy_to else []) + [("印发", None)]
    t = doc.add_table(rows=len(lines), cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = (Mm(TEXT_WIDTH_MM * 0.62), Mm(TEXT_WIDTH_MM * 0.38))  # 印发机关长、印发日期短
    for column, width in zip(t.columns, widths):
        column.width = width
    _borders(t, (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 6), ("insideV", 0)))
    for row, (kind, text) in zip(t.rows, lines):
        _row_rules(row._tr, header=False)
        left, right = row.cells
        left.width, right.width = widths
        for cell in (left, right):
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        if kind == "抄送":
            merged = left.merge(right)
            p = merged.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(IMPRINT_PT)
            p.paragraph_format.first_line_indent = None
            print_friendly(p, keep_next=True)
            add_text(p, f"抄送：{text}", FANGSONG, IMPRINT_PT)
        else:
            lp, rp = left.paragraphs[0], right.paragraphs[0]
            lp.alignment, rp.alignment = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
            lp.paragraph_format.left_indent = Pt(IMPRINT_PT)
            rp.paragraph_format.right_indent = Pt(IMPRINT_PT)
            for p in (lp, rp):
                print_friendly(p)
                p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(3)
            add_text(lp, issuer, FANGSONG, IMPRINT_PT)
            add_text(rp, f"{issued}印发", FANGSONG, IMPRINT_PT)


# ---------------------------------------------------------------- PDF


def pdf_available() -> bool:
    return shutil.which("soffice") is not None


def fontconfig_env() -> dict[str, str]:
    """LibreOffice 子进程的环境：FONTCONFIG_FILE 指向 fonts.conf（公文字体名 → 开源字体），其余照旧。"""
    return {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}


def to_pdf_many(documents: dict[str, bytes], timeout: int = 300) -> dict[str, bytes]:
    """LibreOffice（soffice --headless）一次把几份 .docx 转成 PDF（只启动一次）：{文件名.docx: 字节} → {文件名.pdf: 字节}。
    没装、超时或失败时抛 RuntimeError（中文），不返回一半。"""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError(
            "服务器上没有 LibreOffice（soffice），不能转 PDF；请下载 Word 版，或装上 LibreOffice 的文字处理部分"
            "（apt-get install libreoffice-writer）。"
        )
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="chuangwen-pdf-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        # 文件名里可能有单位名：在临时目录里按序号命名，转完再对回原名
        names = {f"d{i:04d}": name for i, name in enumerate(documents)}
        for stem, name in names.items():
            (src / f"{stem}.docx").write_bytes(documents[name])
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
                    *(str(src / f"{stem}.docx") for stem in names),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
                env=fontconfig_env(),
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 转 PDF 超过 {timeout} 秒没有完成，请稍后再试或下载 Word 版。") from None
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["（没有输出）"]
            raise RuntimeError(f"LibreOffice 转 PDF 失败（退出码 {exc.returncode}）：{detail[0][:200]}") from None
        out = {}
        for stem, name in names.items():
            pdf = Path(tmp) / f"{stem}.pdf"
            if not pdf.exists():
                raise RuntimeError(
                    "LibreOffice 没有生成 PDF（可能缺少文字处理组件：apt-get install libreoffice-writer）。"
                )
            out[re.sub(r"\.docx$", "", name) + ".pdf"] = pdf.read_bytes()
        return out


def to_pdf(docx: bytes, timeout: int = 180) -> bytes:
    """一份 .docx 转 PDF（见 to_pdf_many）。"""
    return to_pdf_many({"tongbao.docx": docx}, timeout=timeout)["tongbao.pdf"]
