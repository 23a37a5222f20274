"""通报导出：在 tests/data/briefing 极小数据上核对幻灯片结构、原生图表的系列值、字体、可复现与无数据时的提示。"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from chuangwen import briefing, db, export_png
from chuangwen.briefing.deck import rank_axis_scale
from tests.builders import build_briefing_db as build_fixture_db

AS_OF = datetime(2026, 11, 15, 18, 0)


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("briefing") / "briefing.duckdb")


@pytest.fixture(scope="module")
def con(brief_db):
    c = db.open_readonly(brief_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def built(con):
    data, brief = briefing.build(con, png=False)
    return Presentation(io.BytesIO(data)), brief


def _chart(slide):
    return next(s.chart for s in slide.shapes if s.has_chart)


def _series(chart) -> dict[str, list]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def _all_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def test_deck_has_eleven_widescreen_slides_in_order(built):
    prs, brief = built
    assert len(prs.slides) == 11
    assert (prs.slide_width, prs.slide_height) == (briefing.SLIDE_W, briefing.SLIDE_H)
    titles = [next(sh for sh in s.shapes if sh.has_text_frame).text_frame.text for s in list(prs.slides)[1:]]
    assert titles == [
        "全省名次走势：本县与对手",
        "各板块得分差距",
        "红黑榜：部门（条）",
        "红黑榜：镇街",
        "问题热点分布",
        "逾期问题（按牵头单位）",
        "反弹问题清单",
        "与上期相比",
        "丢分预警：若明天暗访",
        "数据来源与口径",
    ]


def test_title_slide_names_issue_and_cutoff(built):
    prs, brief = built
    text = _all_text(prs.slides[0])
    assert "第46期" in text
    assert "甲县创建文明城市工作周通报" in text
    assert "数据截至 2026年11月15日 18:00" in text


def test_rank_chart_carries_county_rank_per_round(built):
    prs, _ = built
    chart = _chart(prs.slides[1])
    assert list(chart.plots[0].categories) == ["2024年", "2025年"]
    assert _series(chart) == {"甲县名次": [4.0, 2.0], "目标：前1名": [1.0, 1.0]}
    assert chart.value_axis.reverse_order is True
    # 从 1 起：名次轴上一定有“1”这个刻度
    assert (chart.value_axis.minimum_scale, chart.value_axis.maximum_scale, chart.value_axis.major_unit) == (1, 5, 1)
    assert rank_axis_scale(45) == (1, 46, 5) and rank_axis_scale(10) == (1, 10, 1)


def test_part_gap_chart_carries_board_scores(built):
    prs, _ = built
    chart = _chart(prs.slides[2])
    assert list(chart.plots[0].categories) == ["公共文明"]
    assert _series(chart) == {"本县": [88.0], "组内最高": [88.0], "组内平均": [88.0], "对标单位（戊区）": [None]}


def test_overdue_chart_stacks_days_overdue_by_lead_unit(built):
    prs, _ = built
    chart = _chart(prs.slides[6])
    # 条形图自下而上画：逾期最多（并列按名称）的在最上，即最后一个类别
    assert list(chart.plots[0].categories) == ["城管局", "交警大队"]
    assert _series(chart) == {"逾期1–7天": [0.0, 1.0], "逾期8–30天": [0.0, 0.0], "逾期30天以上": [1.0, 0.0]}


def test_changes_table_compares_with_previous_week(con):
    brief = briefing.collect(con)
    assert briefing.changes_table(brief).to_dict("records") == [
        {"指标": "期内新发现问题", "本周": "4", "上周": "2", "变化": "+2"},
        {"指标": "期内销号", "本周": "1", "上周": "1", "变化": "持平"},
        {"指标": "按期销号率（期内）", "本周": "0.0%", "上周": "100.0%", "变化": "−100.0 个百分点"},
        {"指标": "在办问题（存量，期末）", "本周": "6", "上周": "2", "变化": "+4"},
        {"指标": "逾期（存量，期末）", "本周": "2", "上周": "0", "变化": "+2"},
        {"指标": "期内反弹", "本周": "0", "上周": "1", "变化": "−1"},
        {"指标": "年度测评全省名次（最近两轮）", "本周": "第2名", "上周": "第4名", "变化": "上升 2 名"},
    ]


def test_red_and_black_boards_list_townships(built):
    prs, _ = built
    text = _all_text(prs.slides[4])
    assert ("红榜（有资格的前 5 名）" in text, "黑榜（倒数 5 名）" in text, "个参与排名" in text) == (True, True, True)


def test_no_text_frame_or_table_cell_is_empty(built):
    prs, _ = built
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                assert shape.text_frame.text.strip(), f"第 {number} 页有空文本框"
            if shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        assert cell.text.strip(), f"第 {number} 页表格有空单元格"


def test_every_run_and_chart_sets_east_asian_font(built):
    prs, _ = built
    checked = 0
    for slide in prs.slides:
        for rpr in slide._element.iter(qn("a:rPr")):
            ea = rpr.find(qn("a:ea"))
            assert ea is not None and ea.get("typeface") == briefing.EA_TYPEFACE
            checked += 1
        for shape in slide.shapes:
            if shape.has_chart:
                defrpr = shape.chart._chartSpace.find(qn("c:txPr")).find(".//" + qn("a:defRPr"))
                assert defrpr.find(qn("a:ea")).get("typeface") == briefing.EA_TYPEFACE
    assert checked > 100


def test_ea_follows_latin_in_schema_order(built):
    prs, _ = built
    rpr = next(prs.slides[1]._element.iter(qn("a:rPr")))
    tags = [child.tag for child in rpr]
    assert tags.index(qn("a:ea")) == tags.index(qn("a:latin")) + 1


def test_core_properties_record_as_of_and_data_digest(built):
    prs, brief = built
    cp = prs.core_properties
    assert cp.identifier == f"sha256:{brief.digest}"
    assert brief.digest in cp.keywords
    assert cp.created == AS_OF and cp.modified == AS_OF
    assert "统计时刻 2026-11-15 18:00:00" in cp.comments
    assert cp.revision == 46


def test_every_content_slide_footer_and_notes_carry_digest(built):
    prs, brief = built
    for slide in list(prs.slides)[1:]:
        assert brief.short_digest in _all_text(slide)
        assert brief.digest in slide.notes_slide.notes_text_frame.text


def test_same_as_of_gives_same_digest_and_numbers(con):
    first = briefing.collect(con, as_of=AS_OF)
    second = briefing.collect(con, as_of=AS_OF)
    assert first.digest == second.digest
    assert briefing.changes_table(first).equals(briefing.changes_table(second))


def test_earlier_as_of_changes_digest_and_counts(con):
    earlier = briefing.collect(con, as_of=datetime(2026, 11, 12, 0, 0))
    assert earlier.digest != briefing.collect(con).digest
    assert earlier.issue_no == 46
    assert briefing.changes_table(earlier).iloc[0]["本周"] == "1"  # 区间 (11-05 0:00, 11-12 0:00] 只发现 P4


def test_as_of_before_first_problem_raises_no_data(con):
    with pytest.raises(briefing.NoData, match="之前没有任何问题记录"):
        briefing.collect(con, as_of=datetime(2020, 1, 1))


def test_as_of_after_cutoff_raises_no_data(con):
    with pytest.raises(briefing.NoData, match="晚于数据截至"):
        briefing.collect(con, as_of=datetime(2027, 1, 1))


def test_empty_database_raises_no_data(fresh_db):
    c = db.open_readonly(fresh_db)
    try:
        with pytest.raises(briefing.NoData, match="还没有任何问题"):
            briefing.build(c)
    finally:
        c.close()


def test_round_period_starts_at_latest_round(con):
    brief = briefing.collect(con, period="round")
    assert brief.period.round_name == "2026年中暗访"
    assert brief.period_text == "6月1日0时至11月15日18时"
    assert brief.previous_text == "2025年10月14日0时至2026年6月1日0时"
    assert brief.period.start < datetime(2026, 6, 1) < brief.period.start.replace(year=2026, month=6, day=2)
    assert brief.issue_no == 1


def test_month_period_is_thirty_days(con):
    brief = briefing.collect(con, period="month", issue_no=7)
    assert (brief.as_of - brief.period.start).days == 30
    assert brief.period_text == "10月16日18时至11月15日18时"
    assert brief.issue_no == 7


def test_unknown_period_is_refused(con):
    with pytest.raises(ValueError, match="未知的通报周期"):
        briefing.collect(con, period="year")


def test_default_issue_numbers():
    assert briefing.default_issue_no(datetime(2026, 1, 7), "week") == 1
    assert briefing.default_issue_no(datetime(2026, 1, 8), "week") == 2
    assert briefing.default_issue_no(AS_OF, "week") == 46
    assert briefing.default_issue_no(AS_OF, "month") == 11


def test_without_browser_deck_still_builds_with_native_chart_and_note(con, monkeypatch):
    monkeypatch.setattr(export_png, "find_browser", lambda: None)
    monkeypatch.setattr(export_png, "_server_started", False)
    data, brief = briefing.build(con, png=True)
    prs = Presentation(io.BytesIO(data))
    slide = prs.slides[1]
    assert any(s.has_chart for s in slide.shapes)
    assert "apt-get install chromium" in _all_text(slide)
    assert brief.notes == [export_png.INSTALL_HINT]
    assert any(s.shape_type == 13 for s in prs.slides[5].shapes)  # 静态地图照样插入（图片）


def test_png_export_without_browser_says_what_to_install(monkeypatch):
    import plotly.graph_objects as go

    monkeypatch.setattr(export_png, "find_browser", lambda: None)
    monkeypatch.setattr(export_png, "_server_started", False)
    with pytest.raises(export_png.PngUnavailable, match="chromium fonts-noto-cjk"):
        export_png.figure_png(go.Figure())


def test_static_hotspot_map_is_png_of_requested_size(con):
    brief = briefing.collect(con)
    png = export_png.hotspot_map_png(
        brief.frames["boundaries"], brief.frames["hot_townships"], title="各镇街问题数", width=800, height=500
    )
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 500)


def test_map_without_boundaries_still_draws_a_message():
    png = export_png.hotspot_map_png(
        pd.DataFrame(columns=["code", "name", "level", "geom_wkb"]),
        pd.DataFrame(columns=["code", "problems"]),
        title="无边界",
    )
    assert png.startswith(b"\x89PNG")


def test_slide_titles_preview_starts_with_issue(con):
    brief = briefing.collect(con)
    titles = briefing.slide_titles(brief)
    assert titles[0] == "甲县创建文明城市工作周通报 第46期" and len(titles) == 11


def test_file_name_has_issue_and_date(con):
    assert briefing.file_name(briefing.collect(con)) == "甲县周通报_第46期_20261115.pptx"


def test_png_file_name_strips_unsafe_characters():
    from chuangwen.ui.export import png_file_name

    assert png_file_name("历年/全省 名次") == "历年_全省_名次.png"
    assert png_file_name("图.png") == "图.png"
    assert png_file_name("///") == "图表.png"


def test_league_workbook_has_chinese_sheets_and_frozen_header(con):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(briefing.league_workbook(briefing.collect(con))))
    assert book.sheetnames == ["部门（条）", "镇街（按辖区）"]
    sheet = book["镇街（按辖区）"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:5] == ["名次", "未排名原因", "变化", "镇街", "综合得分"]
    # 数字列的每个非空格子都是数字（不是 '77.50'、'100.0%' 这样的文字），比率带百分数格式
    header = [c.value for c in sheet[1]]
    text_columns = {"未排名原因", "变化", "镇街"}
    body = [r for r in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 2)]
    assert len(body) > 0
    bad = [
        (header[c.column - 1], c.value)
        for row in body
        for c in row
        if header[c.column - 1] not in text_columns and c.value is not None and not isinstance(c.value, (int, float))
    ]
    assert bad == []
    rate = header.index("按期销号率（区间内）")
    assert {row[rate].number_format for row in body if row[rate].value is not None} == {"0.0%"}


def test_deck_without_any_scores_still_has_every_slide(tmp_path):
    path = build_fixture_db(tmp_path / "noscore.duckdb")
    with db.writer(path) as w:
        w.execute("delete from score_part")
        w.execute("delete from score")
    c = db.open_readonly(path)
    try:
        data, _ = briefing.build(c, png=False)
    finally:
        c.close()
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == 11
    assert "还没有年度测评成绩" in _all_text(prs.slides[1])
    assert "还没有测评成绩或分项成绩" in _all_text(prs.slides[2])


def test_concurrent_png_exports_each_get_their_own_image():
    """Streamlit 的多个会话线程同时导出：每个线程拿到的是自己那张图（尺寸各不相同以便区分）。"""
    from concurrent.futures import ThreadPoolExecutor

    import plotly.graph_objects as go
    from PIL import Image

    if not export_png.available():
        pytest.skip("本机没有 Chromium")
    sizes = [(300 + 20 * i, 200 + 10 * i) for i in range(4)]
    figs = [go.Figure(go.Bar(x=["甲"], y=[i + 1])) for i in range(len(sizes))]
    try:
        with ThreadPoolExecutor(4) as pool:
            pngs = list(
                pool.map(
                    lambda fw: export_png.figure_png(fw[0], width=fw[1][0], height=fw[1][1], scale=1), zip(figs, sizes)
                )
            )
    finally:
        export_png.stop()
    assert [Image.open(io.BytesIO(p)).size for p in pngs] == sizes


def test_slides_say_everything_in_chinese_without_identifiers(built):
    """口径页与其余各页：没有查询名、表名、字段名、环境变量名（开发者备注在文档属性里）。"""
    import re

    prs, brief = built
    for number, slide in enumerate(prs.slides, start=1):
        # 页脚的短指纹（前 12 位）也是十六进制，可能碰巧连着三个字母
        text = _all_text(slide).replace(brief.digest, "").replace(brief.short_digest, "").replace("SHA-256", "")
        assert re.findall(r"[A-Za-z_]{3,}", text) == [], f"第 {number} 页"
