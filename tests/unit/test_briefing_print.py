"""拿起来就能印发（Issue 32）：Word 通报的印刷版式（行不跨页、表头重复、标题与下一段同页、编号不断行、版记）、
公文的区间写法、口径只写一份、附件有上限、模板的字体与必有的行、各单位督办单的数与通报逾期表一致。"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from docx.oxml.ns import qn
from pptx import Presentation

from chuangwen import briefing, cli, db, demo
from chuangwen.briefing import document, notices, wordlayout
from chuangwen.briefing.figures import _span_text
from tests.builders import build_briefing_db as build_fixture_db


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("print") / "briefing.duckdb")


@pytest.fixture(scope="module")
def brief(brief_db):
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


def rows_of(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def minimal(body: str, *, without: str = "") -> str:
    lines = ["【发文机关】甲县文明办", "【标题】通报", body, "【印发机关】甲县文明办", "【印发日期】{发文日期}"]
    return "\n".join(line for line in lines if not (without and line.startswith(without)))


# ---------------------------------------------------------------- 版式


def test_every_table_row_stays_on_one_page_and_cells_are_centred(word):
    for table in word.tables:
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
            for cell in row.cells:
                assert cell._tc.tcPr.find(qn("w:vAlign")).get(qn("w:val")) == "center"
    data_tables = word.tables[:-1]  # 最后一张是版记（没有表头）
    for table in data_tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")).get(qn("w:val")) == "true"


def test_headings_keep_with_the_next_paragraph(word):
    headings = [
        p for p in word.paragraphs if re.match(r"^[一二三四五六七八九十]、|^（[一二三四五六七八九十]）", p.text)
    ]
    assert len(headings) >= 8
    for p in headings:
        assert p._p.pPr.find(qn("w:keepNext")) is not None, p.text


def test_each_annex_starts_a_page_with_a_break_before_its_label_not_a_break_paragraph(word):
    """附件另起一页用“附件N”段落的段前分页：单独一段分页符在上一页恰好写满时会多出一张空白页。"""
    labels = [p for p in word.paragraphs if re.fullmatch(r"附件\d*", p.text)]
    assert [p.text for p in labels] == ["附件1", "附件2"]
    for p in labels:
        assert p._p.pPr.find(qn("w:pageBreakBefore")) is not None, p.text
        assert p._p.pPr.find(qn("w:keepNext")) is not None, p.text
    assert word.element.body.xpath(".//w:br[@w:type='page']") == []


def test_codes_keep_their_hyphen_unbroken_and_no_space_is_added_between_chinese_and_digits(word):
    cell = word.tables[4].rows[1].cells[4]  # 附件1 逾期问题清单第一条的整改期限（2026-11-01 09:00）
    run = cell.paragraphs[0].runs[0]._r
    assert run.find(qn("w:noBreakHyphen")) is not None and "-" not in run.xpath("string(.)")
    body = next(p for p in word.paragraphs if p.text.startswith("现将"))
    ppr = body._p.pPr
    assert ppr.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0"
    assert ppr.find(qn("w:autoSpaceDN")).get(qn("w:val")) == "0"
    assert ppr.find(qn("w:textAlignment")).get(qn("w:val")) == "center"


def test_the_imprint_closes_the_document(word, brief):
    imprint = rows_of(word.tables[-1])
    assert imprint[0][0] == "抄送：县委办公室，县人大常委会办公室，县政府办公室，县政协办公室。"
    assert imprint[1] == ["甲县创建文明城市工作指挥部办公室", "2026年11月15日印发"]
    body = word.element.body
    assert body.index(word.tables[-1]._tbl) > body.index(word.tables[-2]._tbl)  # 在附件之后


# ---------------------------------------------------------------- 公文的文字


@pytest.mark.parametrize(
    "start, end, text",
    [
        (datetime(2026, 11, 8, 18), datetime(2026, 11, 15, 18), "11月8日18时至11月15日18时"),
        (datetime(2026, 11, 8, 18, 30), datetime(2026, 11, 15, 18, 30), "11月8日18时30分至11月15日18时30分"),
        (datetime(2025, 12, 28, 18), datetime(2026, 1, 4, 18), "2025年12月28日18时至2026年1月4日18时"),
        (datetime(2026, 11, 3, 23, 59, 59), datetime(2026, 11, 10, 23, 59, 59), "11月3日24时至11月10日24时"),
        (datetime(2026, 5, 31, 23, 59, 59, 999999), datetime(2026, 11, 15, 18), "6月1日0时至11月15日18时"),
    ],
)
def test_periods_are_written_the_way_a_notice_writes_them(start, end, text):
    assert _span_text(start, end) == text


def test_the_body_names_each_number_once_with_the_glossary_name(word, brief):
    text = "\n".join(p.text for p in word.paragraphs)
    assert "（不含起点）" not in text and "新增交办" not in text
    assert "现将本周（11月8日18时至11月15日18时）" in text
    assert "本周新发现问题" in text


def test_the_deck_and_the_word_annex_carry_the_same_definitions(word, brief):
    entries = briefing.figures.glossary(brief)
    annex = rows_of(word.tables[5])
    assert annex == [["名称", "口径"], *[[n, t] for n, t in entries]]
    prs = Presentation(io.BytesIO(briefing.deck(brief, png=False)))
    slide = prs.slides[len(prs.slides) - 1]
    lines = [p.text for s in slide.shapes if s.has_text_frame for p in s.text_frame.paragraphs]
    assert [f"{n}：{t}" for n, t in entries] == [
        line for line in lines if "：" in line and not line.startswith("统计时刻")
    ]
    assert not any(w in "\n".join(lines) for w in ("侧栏", "本页", "热力图", "射线法"))


def test_rebound_sites_follow_the_deck_order_newest_first(brief):
    many = briefing.Brief(**{**brief.__dict__, "frames": dict(brief.frames)})
    rows = brief.frames["rebounds"].head(0).copy()
    import pandas as pd

    rows = pd.DataFrame(
        {
            "problem_code": ["P3", "P2", "P1"],
            "found_at": [datetime(2026, 11, 14), datetime(2026, 11, 12), datetime(2026, 11, 10)],
            "site_name": ["乙巷", "甲街", "乙巷"],
            "category": ["环境卫生"] * 3,
            "unit_name": ["城管局"] * 3,
            "status": ["整改中"] * 3,
        }
    )
    many.frames["rebounds"] = rows
    text = document.figures(many)["反弹点位"]
    assert text.endswith("最新的 3 条出现在：乙巷（2 条）、甲街。")
    assert briefing.figures.rebound_table(many)["点位"].tolist() == ["乙巷", "甲街", "乙巷"]


# ---------------------------------------------------------------- 附件有上限


def test_the_annex_lists_the_longest_overdue_and_counts_the_rest(brief, monkeypatch):
    late = brief.frames["overdue_list"]
    assert len(late) >= 2
    monkeypatch.setattr(document, "ANNEX_ROWS", 1)
    word = docx.Document(io.BytesIO(document.build(brief, png=False)))
    annex = rows_of(word.tables[4])
    assert [r[0] for r in annex[1:]] == late["problem_code"].head(1).tolist()
    note = next(p.text for p in word.paragraphs if p.text.startswith("以上为逾期时间最长的"))
    assert note == (
        f"以上为逾期时间最长的 1 条；其余 {len(late) - 1} 条见随文的 Excel 清单《{document.overdue_workbook_name(brief)}》。"
    )
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(document.overdue_workbook(brief)))
    codes = [r[0] for r in book["逾期问题清单"].iter_rows(min_row=2, max_row=len(late) + 1, values_only=True)]
    assert codes == late["problem_code"].tolist()


# ---------------------------------------------------------------- 模板


def test_a_template_without_the_imprint_is_refused_with_an_example(brief):
    with pytest.raises(document.TemplateError, match=r"缺少【印发机关】这一行.*【印发机关】\{县名\}"):
        document.build(brief, minimal("【正文】内容", without="【印发机关】"), "旧模板.txt", png=False)


def test_an_unknown_font_names_the_line(brief):
    with pytest.raises(document.TemplateError, match="第 3 行：不认识的字体“华文彩云”"):
        document.build(brief, minimal("【字体】正文=华文彩云"), "字体.txt", png=False)
    with pytest.raises(document.TemplateError, match="第 3 行：【字体】写成“位置=字体名”"):
        document.build(brief, minimal("【字体】页脚=黑体"), "字体.txt", png=False)


def test_a_font_line_changes_the_body_face(brief):
    out = docx.Document(
        io.BytesIO(document.build(brief, minimal("【字体】正文=楷体\n【正文】内容"), "字体", png=False))
    )
    body = next(p for p in out.paragraphs if p.text == "内容")
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体"


def test_an_old_field_name_says_what_it_is_called_now(brief):
    with pytest.raises(document.TemplateError, match=r"不认识的数字 \{新增交办\}（已改名为 \{新发现问题\}）"):
        document.build(brief, minimal("【正文】{新增交办}"), "旧模板.txt", png=False)


def test_every_font_a_template_may_name_has_a_stand_in_in_fonts_conf():
    root = ElementTree.parse(wordlayout.FONTS_CONF).getroot()
    mapped = {el.text for el in root.iter("string")} | {
        a.find("family").text for a in root.iter("alias") if a.find("family") is not None
    }
    assert set(wordlayout.FONT_STAND_INS) <= mapped
    stand_ins = {f.text for a in root.iter("alias") for f in a.iter("family")} | {
        s.text for m in root.iter("match") for e in m.iter("edit") for s in e.iter("string")
    }
    assert {"Noto Serif CJK SC", "AR PL UMing CN", "Noto Sans CJK SC", "LXGW WenKai"} <= stand_ins


# ---------------------------------------------------------------- 督办单


@pytest.fixture(scope="module")
def notice_set(brief):
    return notices.build(brief)


def test_each_notice_counts_what_the_overdue_table_says_for_its_unit(notice_set, brief):
    table = document.tables(brief)["逾期·按单位"]
    expected = dict(zip(table["牵头单位"], table["逾期（存量）"]))
    got = {n.unit_name: n.overdue for n in notice_set.notices if n.overdue}
    assert got == expected and got
    for n in notice_set.notices:
        paper = docx.Document(io.BytesIO(n.docx))
        lead = rows_of(paper.tables[0])[1:]
        assert (len(lead) if lead != [["无"] * 5] else 0) == n.overdue
        text = "\n".join(p.text for p in paper.paragraphs)
        assert (f"逾期 {n.overdue} 条" if n.overdue else "没有逾期的") in text
        assert f"〔2026〕第 {brief.issue_no} 期" in text
        assert paper.core_properties.identifier == f"sha256:{brief.digest}"


def requests_on(notice) -> list[str]:
    """督办单上写数与提要求的几段（开头交办的一段与“整改要求”下的各段）。"""
    paras = [p.text for p in docx.Document(io.BytesIO(notice.docx)).paragraphs]
    return [paras[i] for i, t in enumerate(paras) if t.startswith("根据")] + paras[
        paras.index("四、整改要求") + 1 : paras.index("四、整改要求") + 3
    ]


COMMON = "确有困难不能按期完成的，请书面说明原因、措施和完成时限，报指挥部办公室。"
OPENING = "根据《甲县创建文明城市工作周通报》（〔2026〕第 46 期），截至2026年11月15日18时，你单位牵头的在办问题中"


def test_a_unit_without_overdue_problems_is_not_told_to_clear_or_attend_to_zero_overdue(notice_set):
    # 城关街道：牵头的没有逾期，只有 7 天内到期的两条——不写“逾期 0 条”，不要求限期销号逾期问题、不要求亲自过问
    quiet = next(n for n in notice_set.notices if n.unit_name == "城关街道")
    assert (quiet.overdue, quiet.due_soon) == (0, 2)
    assert requests_on(quiet) == [
        OPENING + "没有逾期的，7 天内到期 2 条；你单位配合的逾期问题 0 条。现将清单交办如下。",
        "7 天内到期的问题务必按期销号；配合的问题请主动对接牵头单位。" + COMMON,
        "甲县创建文明城市工作指挥部办公室",
    ]


def test_a_unit_with_long_overdue_problems_gets_the_deadline_and_personal_attention(notice_set):
    late = next(n for n in notice_set.notices if n.unit_name == "城管局")
    assert (late.overdue, late.overdue_over_30) == (1, 1)
    assert requests_on(late) == [
        OPENING
        + "逾期 1 条（其中逾期 30 天以上 1 条），7 天内到期 0 条；你单位配合的逾期问题 1 条。现将清单交办如下。",
        "请于2026年11月22日前完成上述逾期问题的整改销号，7 天内到期的问题务必按期销号；配合的问题请主动对接牵头单位。"
        + COMMON,
        "逾期 30 天以上的问题，请单位主要负责同志亲自过问，逐条明确责任人。",
    ]
    # 交警大队：逾期一条但不到 30 天——要限期销号，不要求亲自过问
    short = next(n for n in notice_set.notices if n.unit_name == "交警大队")
    assert (short.overdue, short.overdue_over_30) == (1, 0)
    assert requests_on(short)[1:] == [
        "请于2026年11月22日前完成上述逾期问题的整改销号，7 天内到期的问题务必按期销号；配合的问题请主动对接牵头单位。"
        + COMMON,
        "甲县创建文明城市工作指挥部办公室",
    ]


def test_units_without_anything_due_get_no_notice_and_are_listed_with_the_reason(notice_set, brief):
    roster = notice_set.roster
    assert len(roster) == len(brief.frames["league_units"])
    sent = roster[roster["督办单"].str.endswith(".docx")]
    assert sorted(sent["单位"]) == sorted(n.unit_name for n in notice_set.notices)
    assert set(roster.loc[~roster["督办单"].str.endswith(".docx"), "督办单"]) <= {
        "不发：没有在办问题",
        "不发：没有逾期或 7 天内到期的问题",
    }
    assert notice_set.skipped == len(roster) - len(sent)


def test_the_zip_holds_every_notice_and_the_roster(notice_set):
    z = zipfile.ZipFile(io.BytesIO(notice_set.zip_bytes()))
    assert sorted(z.namelist()) == sorted([n.file_name for n in notice_set.notices] + [notice_set.roster_name])


def test_a_long_list_is_cut_on_paper_and_sent_whole_as_excel(brief, monkeypatch):
    monkeypatch.setattr(notices, "NOTICE_ROWS", 1)
    ns = notices.build(brief)
    long = next(n for n in ns.notices if n.due_soon > 1)  # 小库里 T01 有两条 7 天内到期
    paper = docx.Document(io.BytesIO(long.docx))
    assert len(paper.tables[1].rows) == 2  # 表头与最早到期的一条
    text = "\n".join(p.text for p in paper.paragraphs)
    assert f"每张表只列最要紧的 1 条，全部清单见随单的 Excel《{long.full_list_name}》。" in text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(ns.files()[long.full_list_name]))
    assert book.sheetnames[0] == "7天内到期（牵头）"
    sheet = book["7天内到期（牵头）"]
    codes = [r[0] for r in sheet.iter_rows(min_row=2, max_row=long.due_soon + 1, values_only=True)]
    assert codes == ns.lists[long.unit_code]["7天内到期"]["problem_code"].tolist()
    assert all(n.full_list_name is None for n in ns.notices if n is not long and n.rows <= 1)


def test_a_unit_gets_only_its_own_notice(brief, notice_set):
    one = notice_set.notices[0]
    own = notices.build(brief, units={one.unit_code})
    assert [n.unit_code for n in own.notices] == [one.unit_code]
    assert own.roster["单位"].tolist() == [one.unit_name]


def test_a_broken_notice_template_builds_nothing(brief, tmp_path, monkeypatch):
    with pytest.raises(document.TemplateError, match="督办单模板 坏.txt 缺少【印发日期】"):
        notices.build(brief, minimal("【正文】{单位}", without="【印发日期】"), "坏.txt")
    with pytest.raises(document.TemplateError, match=r"第 3 行：不认识的数字 \{全省名次\}"):
        notices.build(brief, minimal("【正文】{全省名次}"), "坏.txt")
    bad = tmp_path / "坏.txt"
    bad.write_text(minimal("【表格】红黑榜·部门"), encoding="utf-8")
    monkeypatch.setenv("CHUANGWEN_NOTICE_TEMPLATE", str(bad))
    with pytest.raises(document.TemplateError, match="不认识的表“红黑榜·部门”"):
        notices.build(brief)


def test_cli_writes_the_notices_zip_and_nothing_when_the_template_is_broken(brief_db, tmp_path, capsys, monkeypatch):
    out = tmp_path / "督办单.zip"
    assert cli.main(["brief", "--db", str(brief_db), "--format", "notices", "--no-pdf", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "已生成督办单" in printed and "个单位不发" in printed
    names = zipfile.ZipFile(out).namelist()
    assert any(n.endswith("督办单发送清单.xlsx") for n in names) and any(n.endswith(".docx") for n in names)
    bad = tmp_path / "坏.txt"
    bad.write_text("【正文】{单位}", encoding="utf-8")
    monkeypatch.setenv("CHUANGWEN_NOTICE_TEMPLATE", str(bad))
    again = tmp_path / "again.zip"
    assert cli.main(["brief", "--db", str(brief_db), "--format", "notices", "--no-pdf", "--out", str(again)]) == 2
    assert "缺少【发文机关】" in capsys.readouterr().err and not again.exists()
    assert cli.main(["brief", "--db", str(brief_db), "--format", "notices", "--out", str(tmp_path / "x.docx")]) == 2
    assert "督办单为 .zip" in capsys.readouterr().err


def test_notices_on_the_demo_match_the_overdue_table(tmp_path):
    path = tmp_path / "demo.duckdb"
    demo.build(path, seed=7, problems=3000)
    con = db.open_readonly(path)
    try:
        brief = briefing.collect(con)
    finally:
        con.close()
    table = document.tables(brief)["逾期·按单位"]
    got = {n.unit_name: n.overdue for n in notices.build(brief).notices if n.overdue}
    assert got == dict(zip(table["牵头单位"], table["逾期（存量）"])) and len(got) >= 3
