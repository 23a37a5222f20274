"""通报在示例库上：python-pptx 打开后页数、标题、原生图表有数、没有空文本框；按周、月、轮次都能生成。"""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from chuangwen import briefing, db, demo


@pytest.fixture(scope="module")
def demo_con(tmp_path_factory):
    path = tmp_path_factory.mktemp("briefing_demo") / "demo.duckdb"
    demo.build(path, seed=5, problems=3000)
    con = db.open_readonly(path)
    yield con
    con.close()


def _title(slide) -> str:
    return next(sh for sh in slide.shapes if sh.has_text_frame).text_frame.text


@pytest.mark.parametrize("period", ["week", "month", "round"])
def test_demo_deck_has_every_slide_titled_and_filled(demo_con, period):
    data, brief = briefing.build(demo_con, period=period, png=False)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == 11
    assert [_title(s) for s in list(prs.slides)[1:]] == list(briefing.SLIDE_TITLES[1:])
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                assert shape.text_frame.text.strip()
            if shape.has_table:
                assert all(c.text.strip() for row in shape.table.rows for c in row.cells)
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert len(charts) >= 3  # 名次（没有图片时）、板块差距、逾期
    assert all(any(v is not None for ser in c.plots[0].series for v in ser.values) for c in charts)
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 1  # 静态热点地图（png=False 时全组名次走势用原生图）
    cover = "\n".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert (
        f"{brief.county_name}创建文明城市工作{briefing.PERIODS[period]}" in cover and f"第{brief.issue_no}期" in cover
    )
