"""周通报文稿（Word，Issue 18）：极小数据上的表与红黑榜页同一构建、数字相同；模板只改文字不改数字；
模板写错时不生成并说明哪一行；没有问题的一期写“无”；LibreOffice 转出的 PDF 用中文字体。"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from chuangwen import briefing, cli, db, league, supervision
from chuangwen.briefing import document
from tests.builders import build_briefing_db as build_fixture_db


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("wengao") / "briefing.duckdb")


@pytest.fixture(scope="module")
def brief(brief_db):
    # 极小数据：最少样本数设为 1，红黑榜才有名次（与红黑榜页在同样设置下比较）
    con = db.open_readonly(brief_db)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CHUANGWEN_MIN_SAMPLE", "1")
            return briefing.collect(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def word(brief):
    return docx.Document(io.BytesIO(document.build(brief, png=False)))


def with_required(body: str) -> str:
    """一份最小的模板：公文必须有的版头、标题与版记，中间是要试的几行。"""
    return f"【发文机关】甲县文明办\n【标题】通报\n{body}\n【印发机关】甲县文明办\n【印发日期】{{发文日期}}"


def table_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_document_has_the_red_header_issue_number_and_title(word, brief):
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "甲县创建文明城市工作指挥部办公室"
    assert texts[1] == f"〔2026〕第 {brief.issue_no} 期" and brief.issue_no == 46
    title = next(t for t in texts if t.startswith("关于"))
    assert "通报" in title
    head = word.paragraphs[0].runs[0]
    assert head.font.color.rgb == document.RED
    # 红线：期号下一行（日期）带红色下边框
    border = word.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert border.get(qn("w:color")) == "E60012"
    section = word.sections[0]
    assert (
        round(section.page_width.mm),
        round(section.page_height.mm),
        round(section.top_margin.mm),
        round(section.left_margin.mm),
    ) == (210, 297, 37, 28)


def test_every_body_run_has_an_east_asian_font(word):
    fonts = set()
    for p in word.paragraphs:
        for run in (r for r in p.runs if r.text):
            rfonts = run._element.rPr.find(qn("w:rFonts"))
            assert rfonts is not None and rfonts.get(qn("w:eastAsia")), p.text
            fonts.add(rfonts.get(qn("w:eastAsia")))
    assert {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"} <= fonts


def test_the_league_tables_equal_the_league_page(word, brief):
    """部门与镇街红黑榜：与红黑榜页同一构建（league.boards），逐格相同。"""

    def expected(rows, name_col):
        red, black = league.boards(rows, name_col=name_col)
        return (
            [["榜别", "名次", "名称", "综合得分", "变化"]]
            + [["红榜", str(r["名次"]), r["名称"], r["综合得分"], r["变化"]] for _, r in red.iterrows()]
            + [["黑榜", str(r["名次"]), r["名称"], r["综合得分"], r["变化"]] for _, r in black.iterrows()]
        )

    units, towns = brief.frames["league_units"], brief.frames["league_townships"]
    depts = expected(league.of_kind(units, "条"), "unit_name")
    # 部门、镇街两张红黑榜（镇街只按辖区评价一次），逾期按单位，附件1（逾期清单）、附件2（口径），版记
    assert len(word.tables) == 7 and len(depts) >= 2
    assert table_rows(word.tables[0]) == depts
    assert table_rows(word.tables[1]) == expected(towns, "township_name")
    # 表头每页重复
    assert word.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")).get(qn("w:val")) == "true"


def test_the_overdue_table_and_annex_equal_the_overdue_list(word, brief, brief_db):
    con = db.open_readonly(brief_db)
    try:
        from chuangwen.view import View

        view = View.of_store(con)
        from chuangwen import queries

        late = queries.run(con, "supervision_ledger", view, **supervision.ledger_params(overdue_only=True), limit=None)
    finally:
        con.close()
    annex = table_rows(word.tables[4])
    assert annex[0] == ["问题编号", "镇街", "问题描述", "牵头单位", "整改期限", "逾期天数"]
    assert [r[0] for r in annex[1:]] == late["problem_code"].tolist() and len(late) >= 2
    by_unit = table_rows(word.tables[2])
    assert by_unit[0][:2] == ["牵头单位", "逾期（存量）"]
    assert sum(int(r[1]) for r in by_unit[1:]) == len(late)


def test_figures_use_chinese_conventions(brief):
    values = document.figures(brief)
    assert values["发文日期"] == "2026年11月15日" and values["期数"] == "46"
    assert values["按期销号率变化"].endswith("个百分点") or values["按期销号率变化"] == "持平"
    assert document.chinese_count(9999) == "9999" and document.chinese_count(12345) == "1.23 万"
    assert document.chinese_count(20000) == "2 万"


def test_the_on_time_rate_and_its_change_are_one_parenthetical(brief, word):
    values = document.figures(brief)
    assert values["按期销号率与变化"] == "0.0%（较上周−100.0 个百分点）"
    assert "销号 1 条，按期销号率 0.0%（较上周−100.0 个百分点）。截至统计时刻" in "\n".join(
        p.text for p in word.paragraphs
    )


def test_a_period_without_closures_says_so_and_the_missing_comparison_in_one_parenthetical(brief):
    summary = brief.frames["summary"].copy()
    total = summary["grouping_kind"] == "合计"
    summary.loc[total, ["closed_in_period", "closed_on_time_in_period"]] = 0
    quiet = dataclasses.replace(brief, frames={**brief.frames, "summary": summary})
    assert document.figures(quiet)["按期销号率与变化"] == "—（期内没有销号；较上周无可比数据）"
    paper = docx.Document(io.BytesIO(document.build(quiet, png=False)))
    text = "\n".join(p.text for p in paper.paragraphs)
    assert "销号 0 条，按期销号率 —（期内没有销号；较上周无可比数据）。截至统计时刻" in text
    assert "）（" not in text


def test_changing_the_template_changes_the_wording_and_not_the_numbers(brief):
    text = document.DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    mine = text.replace("【发文机关】{县名}创建文明城市工作指挥部办公室", "【发文机关】甲县文明办").replace(
        "新发现问题 {新发现问题}", "新发现 {新发现问题}"
    )
    a = docx.Document(io.BytesIO(document.build(brief, text, "内置", png=False)))
    b = docx.Document(io.BytesIO(document.build(brief, mine, "我的", png=False)))
    assert b.paragraphs[0].text == "甲县文明办" and a.paragraphs[0].text != b.paragraphs[0].text
    numbers = lambda d: sorted(s for p in d.paragraphs for s in __import__("re").findall(r"\d+(?:\.\d+)?", p.text))
    assert numbers(a) == numbers(b)
    assert [table_rows(t) for t in a.tables] == [table_rows(t) for t in b.tables]


@pytest.mark.parametrize(
    "bad, message",
    [
        ("【正文】本周新增 {新增交办 条", "第 1 行：花括号不配对"),
        ("【正文】本周 {没有这个数} 条", "第 1 行：不认识的数字 {没有这个数}"),
        ("# 注释\n【副标题】什么", "第 2 行：不认识的类型【副标题】"),
        ("正文没有类型", "第 1 行：应以【类型】开头"),
        ("【表格】不存在的表", "第 1 行：不认识的表“不存在的表”"),
    ],
)
def test_a_broken_template_names_the_line_and_writes_nothing(
    brief, brief_db, tmp_path, monkeypatch, capsys, bad, message
):
    with pytest.raises(document.TemplateError, match=message):
        document.build(brief, bad, "坏模板.txt")
    bad_file = tmp_path / "坏模板.txt"
    bad_file.write_text(bad, encoding="utf-8")
    monkeypatch.setenv("CHUANGWEN_BRIEF_TEMPLATE", str(bad_file))
    out = tmp_path / "通报.docx"
    assert cli.main(["brief", "--db", str(brief_db), "--format", "docx", "--out", str(out)]) == 2
    assert message in capsys.readouterr().err and not out.exists()


def test_a_missing_figure_is_a_clear_placeholder_never_a_wrong_number():
    assert document.fill("全县{全省名次}。", {"全省名次": None}) == "全县【待补：全省名次】。"


def test_a_period_without_problems_says_so_and_marks_empty_tables(brief):
    quiet = briefing.Brief(**{**brief.__dict__, "frames": dict(brief.frames)})
    for key in ("league_units", "league_townships", "overdue_list", "rebounds"):
        quiet.frames[key] = brief.frames[key].iloc[0:0]
    quiet.frames["hot_summary"] = brief.frames["hot_summary"].assign(problems=0, rebounds=0)
    word = docx.Document(io.BytesIO(document.build(quiet, png=False)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "本周没有发现反弹问题。" in text and "本周新发现问题 0 条" in text
    assert "红榜：无（没有符合资格的单位）；黑榜：无。" in text
    empties = [t for t in word.tables if table_rows(t)[1:] == [["无"] * len(t.columns)]]
    assert len(empties) == len(word.tables) - 3  # 口径附件、版记与丢分预警（按统计时刻的在办问题，不论期内）不会空


def test_same_store_and_period_give_the_same_fingerprint_in_the_properties(brief_db):
    con = db.open_readonly(brief_db)
    try:
        a, b = briefing.collect(con), briefing.collect(con)
    finally:
        con.close()
    da, db_ = (docx.Document(io.BytesIO(document.build(x, png=False))) for x in (a, b))
    assert da.core_properties.identifier == db_.core_properties.identifier == f"sha256:{a.digest}"
    assert da.core_properties.created.replace(tzinfo=None) == datetime(2026, 11, 15, 18, 0)


@pytest.mark.skipif(not document.pdf_available() or not shutil.which("pdffonts"), reason="没有 LibreOffice 或 poppler")
def test_the_pdf_from_libreoffice_uses_a_cjk_font(brief, tmp_path):
    pdf = tmp_path / "通报.pdf"
    pdf.write_bytes(document.to_pdf(document.build(brief, png=False)))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "Song" in fonts or "Hei" in fonts
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 2


def test_the_rank_picture_is_inserted_or_its_absence_explained(brief, monkeypatch):
    from chuangwen import export_png

    text = with_required("【正文】名次\n【图】名次走势")
    if export_png.available():
        word = docx.Document(io.BytesIO(document.build(brief, text, "图")))
        assert len(word.inline_shapes) == 1

    def unavailable(*args, **kwargs):
        raise export_png.PngUnavailable(export_png.INSTALL_HINT)

    monkeypatch.setattr(export_png, "figure_png", unavailable)
    quiet = briefing.Brief(**{**brief.__dict__, "notes": []})
    word = docx.Document(io.BytesIO(document.build(quiet, text, "图")))
    assert len(word.inline_shapes) == 0
    note = next(p.text for p in word.paragraphs if "此处未插入" in p.text)
    assert "此处未插入名次走势图" in note and "chromium" in note
    with pytest.raises(document.TemplateError, match="第 1 行：不认识的图“地图”"):
        document.build(brief, "【图】地图", "坏图")


def test_control_characters_from_a_ledger_do_not_break_the_document(brief):
    dirty = briefing.Brief(**{**brief.__dict__, "frames": dict(brief.frames)})
    late = brief.frames["overdue_list"].copy()
    late["description"] = "乱堆\x0b乱放\x08（台账里带进来的控制字符）"
    dirty.frames["overdue_list"] = late
    word = docx.Document(io.BytesIO(document.build(dirty, png=False)))
    assert table_rows(word.tables[4])[1][2] == "乱堆乱放（台账里带进来的控制字符）"


def test_a_failed_pdf_conversion_is_a_chinese_message(monkeypatch):
    def fails(*args, **kwargs):
        raise subprocess.CalledProcessError(77, "soffice", stderr=b"Error: source file could not be loaded")

    from chuangwen.briefing import wordlayout

    monkeypatch.setattr(wordlayout.shutil, "which", lambda name: "/usr/bin/soffice")
    monkeypatch.setattr(wordlayout.subprocess, "run", fails)
    with pytest.raises(
        RuntimeError, match="LibreOffice 转 PDF 失败（退出码 77）：Error: source file could not be loaded"
    ):
        document.to_pdf(b"x")


def test_without_loss_risk_inputs_the_document_still_builds_with_an_empty_worklist(brief, monkeypatch):
    """库里没有抽样方案（算不出丢分预警）：Word 通报照样生成，攻坚清单表有表头、写“无”，不抛异常。"""
    from chuangwen.briefing import risk

    monkeypatch.setattr(risk, "assessment", lambda _brief: None)
    assert list(risk.tables(brief)[risk.TABLE].columns) == list(risk.TABLE_COLUMNS)
    built = docx.Document(io.BytesIO(document.build(brief, png=False)))
    headers = [[c.text for c in t.rows[0].cells] for t in built.tables]
    assert list(risk.TABLE_COLUMNS) in headers
