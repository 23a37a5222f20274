"""通报导出的渲染测试：示例库生成的幻灯片、Word 通报与督办单用 LibreOffice（无头，字体对照 fonts.conf）转 PDF，
pdftoppm 出每页 PNG（存 artifacts/briefing*/，供人逐页看），pdffonts 核对中文字体；Word 通报与督办单另核对
没有一行表格跨页、没有标题落在页末、版记在最后一页（读 PDF 每页的文字）。
需要 libreoffice-impress、libreoffice-writer、poppler-utils 与公文字体的开源替身（scripts/test.sh 会安装）。"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pptx import Presentation

from chuangwen import briefing, db, export_png
from chuangwen.briefing import document, notices, wordlayout

pytestmark = pytest.mark.e2e

CJK_FONT_MARKERS = ("CJK", "SourceHan", "Source Han", "WenQuanYi", "YaHei")


@pytest.fixture(scope="module")
def rendered(e2e_demo_db, artifacts, tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None or shutil.which("pdffonts") is None:
        pytest.fail("缺少 LibreOffice 或 poppler-utils：请运行 `apt-get install libreoffice-impress poppler-utils`")
    work = tmp_path_factory.mktemp("briefing_render")
    con = db.open_readonly(e2e_demo_db)
    try:
        data, brief = briefing.build(con, png=export_png.available())
    finally:
        con.close()
        export_png.stop()
    deck = work / "deck.pptx"
    deck.write_bytes(data)
    # 独立的 LibreOffice 用户目录：不与本机其他 soffice 进程抢配置锁
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{work}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(deck),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=wordlayout.fontconfig_env(),
    )
    pdf = work / "deck.pdf"
    out = artifacts / "briefing"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "page")], check=True, timeout=120)
    return pdf, sorted(out.glob("page-*.png")), brief, data


def test_pdf_has_one_page_per_slide(rendered):
    pdf, pages, _, data = rendered
    import io

    assert len(pages) == len(Presentation(io.BytesIO(data)).slides) == 11


def test_cjk_text_is_drawn_with_a_cjk_font(rendered):
    pdf, *_ = rendered
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert any(any(m in n for m in CJK_FONT_MARKERS) for n in names), fonts


def test_pdf_text_contains_the_chinese_titles(rendered):
    pdf, _, brief, _ = rendered
    if shutil.which("pdftotext") is None:
        pytest.skip("没有 pdftotext")
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    for title in briefing.SLIDE_TITLES[1:]:
        assert title.replace(" ", "") in text.replace(" ", ""), title
    assert brief.short_digest in text


def test_page_images_are_not_blank(rendered):
    from PIL import Image, ImageStat

    _, pages, _, _ = rendered
    for page in pages:
        stat = ImageStat.Stat(Image.open(page).convert("L"))
        assert stat.stddev[0] > 5, f"{page.name} 几乎是空白页"


def test_chart_png_has_double_resolution_and_chinese_font():
    import io

    import plotly.graph_objects as go
    from PIL import Image

    if not export_png.available():
        pytest.fail(export_png.INSTALL_HINT)
    fig = go.Figure(go.Bar(x=["城管局", "交警大队"], y=[3, 5]))
    fig.update_layout(title="逾期问题", font={"family": "Noto Sans CJK SC"}, width=600, height=300)
    try:
        png = export_png.figure_png(fig)
    finally:
        export_png.stop()
    assert Image.open(io.BytesIO(png)).size == (1200, 600)


# ---------------------------------------------------------------- Word 通报与督办单：印出来的样子


def cjk_families(pdf: Path) -> set[str]:
    """PDF 里嵌入的中文字体家族（去掉子集前缀与字重、字形后缀）：NotoSerifCJKjp-Bold-VKana → NotoSerifCJK。"""
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    families = set()
    for line in out.splitlines()[2:]:
        name = line.split()[0].split("+")[-1] if line.strip() else ""
        if any(m in name for m in ("CJK", "UMing", "UKai", "WenKai", "Sungti", "Kaiti", "WenQuanYi", "Hei", "Song")):
            families.add(re.sub(r"(jp|sc|SC|CN)?(-.*)?$", "", name))
    return families


def page_texts(pdf: Path) -> list[str]:
    """每页的文字（pdftotext -raw：按内容流的顺序，表格一格接一格）。"""
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return out.split("\f")[:-1]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("\u2011", "-")


def split_rows(word: docx.Document, pages: list[str]) -> list[str]:
    """整行文字没有完整出现在任何一页上的表格行（跨页被拆开的行）。"""
    flat = [squeeze(p) for p in pages]
    bad = []
    for table in word.tables:
        for row in table.rows:
            cells = {id(c._tc): c.text for c in row.cells}  # 合并的格子（同一个 w:tc）只算一次
            text = squeeze("".join(cells.values()))
            if text and not any(text in page for page in flat):
                bad.append(text[:40])
    return bad


HEADING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件\s*\d*$)")
FOOTER = re.compile(r"^(— \d+ —|.*数据指纹 [0-9a-f]{12})$")


def headings_at_page_end(word: docx.Document, pages: list[str]) -> list[str]:
    """落在某页最后一行的标题（一级、二级标题与附件名）。"""
    # 按公文标题的写法认（“一、”“（一）”“附件 1”），不看被检查的 keepNext 本身
    heads = {p.text.strip() for p in word.paragraphs if HEADING.match(p.text.strip())}
    bad = []
    for i, page in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip() and not FOOTER.match(line.strip())]
        if lines and lines[-1] in heads:
            bad.append(f"第 {i} 页末：{lines[-1]}")
    return bad


def blank_pages(pages: list[str]) -> list[int]:
    """除页码与页脚外一个字也没有的页（第几页）。"""
    return [
        i
        for i, page in enumerate(pages, start=1)
        if not [line for line in page.splitlines() if line.strip() and not FOOTER.match(line.strip())]
    ]


def render(data: bytes, out: Path, name: str) -> tuple[Path, list[str]]:
    """转 PDF、每页出 PNG（artifacts，供人看），返回 PDF 与每页文字。"""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{name}*"):
        old.unlink()
    pdf = out / f"{name}.pdf"
    pdf.write_bytes(wordlayout.to_pdf(data))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / name)], check=True, timeout=120)
    return pdf, page_texts(pdf)


@pytest.fixture(scope="module")
def demo_brief(e2e_demo_db):
    if not document.pdf_available() or shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        pytest.fail("缺少 LibreOffice 或 poppler-utils：请运行 bash scripts/test.sh（会用 apt-get 安装）")
    con = db.open_readonly(e2e_demo_db)
    try:
        return briefing.collect(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def word_brief(demo_brief, artifacts):
    data = document.build(demo_brief, png=export_png.available())
    export_png.stop()
    pdf, pages = render(data, artifacts / "briefing_docx", "tongbao")
    return docx.Document(io.BytesIO(data)), pdf, pages


def test_the_word_brief_prints_in_four_chinese_typefaces(word_brief):
    _, pdf, _ = word_brief
    families = cjk_families(pdf)
    assert len(families) >= 4, families  # 小标宋（标题）、仿宋（正文）、黑体（一级标题）、楷体（二级标题）


def test_no_table_row_of_the_word_brief_is_split_across_pages(word_brief):
    word, _, pages = word_brief
    assert len(pages) >= 4
    assert split_rows(word, pages) == []


def test_no_heading_of_the_word_brief_ends_a_page(word_brief):
    word, _, pages = word_brief
    assert headings_at_page_end(word, pages) == []


def test_the_word_brief_has_no_blank_page(word_brief):
    _, _, pages = word_brief
    assert blank_pages(pages) == []


def _annex_after_a_table(rows: int, *, break_paragraph: bool) -> bytes:
    """一张 rows 行的表，接着另起一页的“附件”：用单独一段分页符（改之前的写法）或段前分页（new_page）。"""
    import pandas as pd
    from docx import Document
    from docx.enum.text import WD_BREAK

    doc = Document()
    wordlayout.setup_page(doc, "数据截至 测试　数据指纹 000000000000")
    wordlayout.table(doc, pd.DataFrame({"编号": [f"第{i + 1}行" for i in range(rows)]}), widths=(4.0,))
    if break_paragraph:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    wordlayout.para(doc, "附件", wordlayout.HEITI, new_page=not break_paragraph)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_an_annex_after_a_table_that_fills_the_page_leaves_no_blank_page():
    """表恰好写满一页时，单独一段分页符落到下一页、再分一次页，多出一张空白页（演示库周通报附件 1 之后原来如此）；
    段前分页不会。行数取一段，总有一个恰好写满第一页（证明检查会失败）。"""
    samples = {
        f"{rows}-{old}": _annex_after_a_table(rows, break_paragraph=old) for rows in range(38, 50) for old in (1, 0)
    }
    blanks = {}
    for name, pdf in wordlayout.to_pdf_many(samples).items():
        text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, check=True, capture_output=True).stdout
        blanks[name.removesuffix(".pdf")] = blank_pages(text.decode().split("\f")[:-1])
    assert any(pages for name, pages in blanks.items() if name.endswith("-1")), blanks
    assert all(pages == [] for name, pages in blanks.items() if name.endswith("-0")), blanks


def test_the_imprint_is_on_the_last_page_and_the_text_reads_like_a_notice(word_brief, demo_brief):
    _, _, pages = word_brief
    last = squeeze(pages[-1])
    assert "抄送：" in last and f"{demo_brief.as_of.year}年" in last and last.rstrip().endswith("印发") is False
    assert "印发" in last and not any("印发" in squeeze(p) for p in pages[:-1])
    first = squeeze(pages[0])
    assert "创建文明城市工作指挥部办公室" in first and f"第{demo_brief.issue_no}期" in first
    assert squeeze(demo_brief.period_text) in first and "不含起点" not in first


def _page_end_sample(*, keep_next: bool, cant_split: bool) -> bytes:
    """写满第一页的大半，接一个标题和一张只有一行（二十多行字）的表：没有 cantSplit 时这一行被拆到两页；
    行不能拆时表整个到第二页，标题没有 keepNext 就留在第一页末。"""
    import pandas as pd
    from docx import Document

    doc = Document()
    wordlayout.setup_page(doc, "数据截至 测试　数据指纹 000000000000")
    for i in range(15):
        wordlayout.para(doc, f"第{i + 1}段正文，用来把第一页写到只剩几行。")
    wordlayout.para(doc, "三、逾期问题", wordlayout.HEITI, keep_next=keep_next)
    table = wordlayout.table(doc, pd.DataFrame({"内容": ["甲乙丙丁" * 40 + "第一行的末尾"]}), widths=(4.0,))
    if not cant_split:
        for row in table.rows:
            for el in row._tr.trPr.findall(qn("w:cantSplit")):
                row._tr.trPr.remove(el)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _checked(tmp_path: Path, name: str, **rules: bool) -> tuple[list[str], list[str]]:
    data = _page_end_sample(**rules)
    _, pages = render(data, tmp_path, name)
    word = docx.Document(io.BytesIO(data))
    return split_rows(word, pages), headings_at_page_end(word, pages)


def test_the_checkers_catch_a_split_row_and_a_stranded_heading(tmp_path):
    """证明上面几条检查会失败：不加规则时一行表格被拆开、标题落在页末，检查都指出来；加上规则就没有。"""
    assert _checked(tmp_path, "split", keep_next=True, cant_split=False)[0] != []
    assert _checked(tmp_path, "stranded", keep_next=False, cant_split=True) == ([], ["第 1 页末：三、逾期问题"])
    assert _checked(tmp_path, "kept", keep_next=True, cant_split=True) == ([], [])


def test_a_unit_notice_prints_as_a_document_with_its_imprint(demo_brief, artifacts):
    ns = notices.build(demo_brief)
    notice = max(ns.notices, key=lambda n: (n.overdue + n.due_soon, n.unit_name))
    pdf, pages = render(notice.docx, artifacts / "briefing_notice", "duban")
    word = docx.Document(io.BytesIO(notice.docx))
    assert split_rows(word, pages) == [] and headings_at_page_end(word, pages) == [] and blank_pages(pages) == []
    assert "印发" in squeeze(pages[-1]) and f"{notice.unit_name}：" in squeeze(pages[0])
    assert len(cjk_families(pdf)) >= 3  # 小标宋、仿宋、黑体（督办单没有二级标题）
