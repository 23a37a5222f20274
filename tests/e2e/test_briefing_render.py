"""通报导出的渲染测试：示例库生成的幻灯片用 LibreOffice（无头）转 PDF，pdftoppm 出每页 PNG（存 artifacts/briefing/），
pdffonts 核对中文是用 CJK 字体画的（不是豆腐块）。需要 libreoffice-impress 与 poppler-utils（scripts/test.sh 会安装）。"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pptx import Presentation

from chuangwen import briefing, db, export_png

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


def test_the_word_brief_renders_through_libreoffice_with_cjk_fonts(e2e_demo_db, artifacts):
    """Word 通报（示例库）：LibreOffice 转 PDF，每页出 PNG 到 artifacts/briefing_docx/ 供人看，中文用 CJK 字体画。"""
    from chuangwen.briefing import document

    con = db.open_readonly(e2e_demo_db)
    try:
        brief = briefing.collect(con)
    finally:
        con.close()
    pdf_bytes = document.to_pdf(document.build(brief, png=export_png.available()))
    out = artifacts / "briefing_docx"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    pdf = out / "tongbao.pdf"
    pdf.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "page")], check=True, timeout=120)
    assert len(list(out.glob("page-*.png"))) >= 3
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert any(any(m in n for m in CJK_FONT_MARKERS) for n in names), fonts
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        assert "创建文明城市工作指挥部办公室" in text and f"第 {brief.issue_no} 期" in text and "逾期问题清单" in text
