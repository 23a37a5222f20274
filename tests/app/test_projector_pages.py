"""推进会模式在领导看的每一页（Issue 16 第 4 部分）：一个开关状态跨页保持；开启时有页面条（当前页反白、其余可点）、
键盘翻页脚本；图里每个字号 ≥ 20 px；表格是大字的静态表。"""

from __future__ import annotations

import json
import re

import pytest

from chuangwen.ui import projector
from tests.app.conftest import switch_to

PAGES = {
    "app_pages/overview.py": "ov_projector",
    "app_pages/rank_trend.py": "rk_projector",
    "app_pages/hotspots.py": "hs_projector",
    "app_pages/league.py": "lg_projector",
    "app_pages/supervision.py": "sv_projector",
}


def font_sizes(node, path=""):
    """图的 JSON 里每个 font 的 size（及其位置）。"""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("font", "tickfont", "textfont", "title_font") and isinstance(value, dict) and "size" in value:
                yield f"{path}.{key}", value["size"]
            yield from font_sizes(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from font_sizes(value, f"{path}[{i}]")


@pytest.mark.parametrize("page", list(PAGES))
def test_projector_mode_on_every_leader_page(app, page):
    at = switch_to(app, page)
    assert at.toggle(key=PAGES[page]).value is False and not at.get("page_link")
    at.toggle(key=PAGES[page]).set_value(True).run()
    assert not at.exception
    assert at.session_state["projector_mode"] is True
    # 页面条：其余四页可点，当前页不是链接；键盘翻页的脚本在页面上
    links = [p.proto.label for p in at.get("page_link")]
    here = dict(projector.MEETING_PAGES)[page]
    assert sorted(links) == sorted(t for _, t in projector.MEETING_PAGES if t != here)
    assert any("cwMeeting" in h.proto.body for h in at.get("html"))
    # 图：每个字号 ≥ 20 px，高度一屏
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        small = [(where, size) for where, size in font_sizes(spec) if size < 20]
        assert small == [], small
    # 表：大字的静态表，不是 st.dataframe（画布上的字号改不了）
    assert len(at.dataframe) == 0


def test_one_toggle_state_across_pages(app):
    at = switch_to(app, "app_pages/overview.py")
    at.toggle(key="ov_projector").set_value(True).run()
    for page, key in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception
        assert at.toggle(key=key).value is True, page
    at.toggle(key="sv_projector").set_value(False).run()
    at.switch_page("app_pages/league.py").run()
    assert at.toggle(key="lg_projector").value is False and not at.get("page_link")


def test_neighbours_for_keyboard_paging():
    pages = list(projector.MEETING_PAGES)
    assert projector.neighbours(pages, "总览") == (None, "排名趋势")
    assert projector.neighbours(pages, "红黑榜") == ("问题热点", "整改督办")
    assert projector.neighbours(pages, "整改督办") == ("红黑榜", "丢分预警")
    assert projector.neighbours(pages, "丢分预警") == ("整改督办", None)
    assert projector.neighbours(pages, "数据管理") == (None, None)
    assert projector.meeting_pages(lambda t: t != "问题热点") == [p for p in pages if p[1] != "问题热点"]


def test_projector_table_formats_numbers_and_keeps_the_chosen_columns():
    import pandas as pd

    df = pd.DataFrame(
        {
            "问题编号": ["WT1", "WT2"],
            "逾期天数": pd.array([1077, None], dtype="Int64"),
            "得分": [87.456, 80.0],
            "率": ["22.2%", "—"],
            "其他": [1, 2],
        }
    )
    out = projector.for_projector(df, ["问题编号", "逾期天数", "得分", "率", "不存在的列"])
    # 文字照原样（由 table_html 转义）；数字列是我们格式化的数字
    assert out.to_dict("records") == [
        {"问题编号": "WT1", "逾期天数": "1,077", "得分": "87.46", "率": "22.2%"},
        {"问题编号": "WT2", "逾期天数": "", "得分": "80.00", "率": "—"},
    ]
    assert len(projector.for_projector(pd.DataFrame({"a": range(40)}))) == projector.TABLE_ROWS
    # 按口径换了单位的列也认得
    norm = pd.DataFrame({"镇街": ["甲"], "逾期（存量，每点位）": [0.5], "反弹重开（每点位）": [0.25], "交办": [3]})
    assert list(projector.for_projector(norm, ["镇街", "逾期（存量）", "反弹重开"]).columns) == [
        "镇街",
        "逾期（存量，每点位）",
        "反弹重开（每点位）",
    ]


def test_projector_table_escapes_text_from_data_and_does_not_break_codes():
    """投影的表是我们写的 HTML：台账里的“图片”“链接”“脚本”都只是文字；编号、名次、数字与列名整格不折行，
    只有长文字的列（问题描述）可以折行。"""
    import pandas as pd

    df = pd.DataFrame(
        {
            "问题编号": ["WT2026-013895"],
            "名次": ["样本不足"],
            "问题描述": ['<img src=x onerror="alert(1)"> ![x](http://外网/x.png) 井盖缺失，路口东侧人行道上'],
            "逾期天数": [3],
        }
    )
    html = projector.table_html(projector.for_projector(df))
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    cells = dict(re.findall(r'<td style="([^"]*)">([^<]*)</td>', html)[i][::-1] for i in range(4))
    assert "white-space:nowrap" in cells["WT2026-013895"] and "white-space:nowrap" in cells["样本不足"]
    assert "white-space:nowrap" in cells["3"] and "text-align:right" in cells["3"]
    assert "white-space:normal" in next(style for text, style in cells.items() if text.startswith("&lt;img"))


def _tables(empty: bool, on: bool) -> None:
    import pandas as pd
    import streamlit as st

    from chuangwen.ui import projector

    st.session_state[projector.FLAG] = on
    projector.table(pd.DataFrame({"单位": [] if empty else ["甲"]}), empty="本周没有逾期问题。")


@pytest.mark.parametrize("on", [False, True])
def test_an_empty_table_is_one_chinese_line_in_both_modes(on):
    """没有行时不放空表（st.dataframe 的空表写着英文“empty”）：说一句中文；有行时照常是表。"""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_tables, kwargs={"empty": True, "on": on}).run()
    assert [c.value for c in at.caption] == ["本周没有逾期问题。"] and not at.dataframe
    at = AppTest.from_function(_tables, kwargs={"empty": False, "on": on}).run()
    assert [c.value for c in at.caption] == [] and (bool(at.dataframe) != on)


def _table_with_gaps(on: bool) -> None:
    import pandas as pd
    import streamlit as st

    from chuangwen.ui import projector

    st.session_state[projector.FLAG] = on
    projector.table(pd.DataFrame({"问题编号": ["A1", "A2"], "逾期天数": pd.array([3, None], dtype="Int64")}))


def test_a_missing_cell_is_blank_in_both_modes_and_the_column_stays_numbers():
    """缺失的格留空（st.dataframe 默认在格里写英文“None”）：普通模式给表格 placeholder=""，列仍是数（照样按数排序）；
    推进会的大字表本来就留空。"""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_table_with_gaps, kwargs={"on": False}).run()
    (table,) = at.dataframe
    assert table.proto.placeholder == "" and table.proto.HasField("placeholder")
    assert table.value["逾期天数"].tolist()[0] == 3 and table.value["逾期天数"].isna().tolist() == [False, True]
    at = AppTest.from_function(_table_with_gaps, kwargs={"on": True}).run()
    assert re.findall(r"<td[^>]*>([^<]*)</td>", at.get("html")[-1].proto.body) == ["A1", "3", "A2", ""]
