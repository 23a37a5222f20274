"""排名趋势页（AppTest，小示例库）：能渲染；换测评类型、换对手会改变图；名次轴反向、整数刻度；坏输入给出说明。"""

import json

import duckdb
import pandas as pd
import pytest

from tests.app.conftest import switch_to
from tests.oracles import county_rank_by_definition, round_figures_by_definition

PAGE = "app_pages/rank_trend.py"


@pytest.fixture
def page(app):
    return switch_to(app, PAGE)


def specs(at):
    """页面上的 plotly 图：标题 → 图的 JSON。"""
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {f["layout"]["title"]["text"]: f for f in figures}


def bump(at):
    return next(s for t, s in specs(at).items() if t.startswith("全省名次走势"))


def test_page_renders_with_demo_data(page, demo_db):
    assert page.title[0].value.startswith("排名趋势 · ")
    titles = list(specs(page))
    assert titles[0].startswith("全省名次走势") and titles[1].startswith("得分走势") and "得分对比" in titles[2]
    labels = [m.label for m in page.metric]
    assert labels[0] == "本县名次" and labels[1].startswith("距目标：前10名")
    assert page.metric[0].value == county_rank_by_definition(demo_db, round_type="年度测评")[1]
    # 全组排名表（最后一张表）：默认是最近一轮年度测评，组里每个单位一行（缺测的也列出）
    assert len(page.dataframe[-1].value) == units_in_latest_annual_round(demo_db)
    assert any("差距分析：" in s.value for s in page.subheader)


def test_rank_axis_reversed_with_integer_ticks_and_round_categories(page):
    layout = bump(page)["layout"]
    y = layout["yaxis"]
    assert y["range"][0] > y["range"][1] and y["range"][1] == 0.5
    assert all(float(v).is_integer() for v in y["tickvals"]) and y["tickvals"][0] == 1
    assert layout["xaxis"]["type"] == "category"
    assert all(c.endswith("年") for c in layout["xaxis"]["categoryarray"])


def ours_and_best(at) -> tuple[list, list]:
    """名次走势里本县那条线的名次，得分走势里“组内最高”那条线的得分。"""
    ours = next(t for t in bump(at)["data"] if t["name"].endswith("（本县）"))
    best = next(
        t for t in next(s for n, s in specs(at).items() if n.startswith("得分走势"))["data"] if t["name"] == "组内最高"
    )
    return ours["y"], best["y"]


def test_changing_round_type_changes_the_figures(page, demo_db):
    assert ours_and_best(page) == round_figures_by_definition(demo_db, "年度测评")
    page.selectbox(key="rk_round_type").set_value("年中暗访").run()
    assert not page.exception
    assert ours_and_best(page) == round_figures_by_definition(demo_db, "年中暗访")
    assert page.selectbox(key="rk_table_round_年中暗访").value.endswith("-ZA")


def test_changing_rivals_changes_the_bump_chart(page):
    before = [t["name"] for t in bump(page)["data"]]
    rivals = page.multiselect(key="rk_rivals")
    assert len(rivals.value) == 3  # 示例库 meta.rival_region_codes
    rivals.set_value([]).run()
    after = [t["name"] for t in bump(page)["data"]]
    assert len(after) == len(before) - 3
    page.number_input(key="rk_top_n").set_value(0).run()
    assert [t["name"] for t in bump(page)["data"]] == [after[-2], after[-1]]  # 只剩本县与目标线


def test_target_rank_beyond_group_gets_message(page):
    page.number_input(key="rk_target").set_value(999).run()
    assert not page.exception
    assert any(w.value.startswith("目标名次 999 不在 1 到 45 之间") for w in page.warning)
    assert not any(t["name"].startswith("目标") for t in bump(page)["data"])
    assert not any(m.label.startswith("距目标") for m in page.metric)


def test_round_with_missing_unit_is_noted(page):
    page.selectbox(key="rk_round_type").set_value("年中暗访").run()
    page.selectbox(key="rk_table_round_年中暗访").set_value("R2018-ZA").run()  # 示例库：芃泽区最早一轮缺测
    assert not page.exception
    assert any("本轮缺测 1 个单位" in i.value for i in page.info)


def test_projector_mode_uses_large_figures_and_keeps_flag(page):
    page.toggle(key="rk_projector").set_value(True).run()
    assert not page.exception
    assert page.session_state["projector_mode"] is True
    layout = bump(page)["layout"]
    assert layout["height"] >= 600 and layout["font"]["size"] >= 22
    # 一屏一图：翻屏按钮走过每一屏（名次走势、得分走势、差距、分项、排名表分屏），哪一屏都没有画布表格
    seen, tables = [], 0
    for _ in range(20):
        seen.append(next(m.value for m in page.markdown if m.value.startswith("**第 ")))
        assert len(page.dataframe) == 0
        tables += any("rk-rank-table" in h.proto.body for h in page.get("html"))
        if page.button(key="cw_view_next").disabled:
            break
        page.button(key="cw_view_next").click().run()
    names = page.session_state["_pv_names:排名趋势"]
    assert names[:4] == ["全省名次走势", "得分走势", "差距分析", "分项差距"] and len(names) == len(seen)
    assert seen == [f"**第 {i} / {len(seen)} 屏**" for i in range(1, len(seen) + 1)] and tables == len(seen) - 4 >= 1
    page.switch_page("app_pages/overview.py").run()
    page.switch_page(PAGE).run()
    assert page.toggle(key="rk_projector").value is True


@pytest.fixture
def tiny_page(tmp_path, monkeypatch):
    """tests/data/rank 的 5 个单位：2024 丙县缺测。"""
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import DASHBOARD
    from tests.builders import build_rank_db

    monkeypatch.setenv("CHUANGWEN_DB", str(build_rank_db(tmp_path / "rank.duckdb")))
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    at = AppTest.from_file(DASHBOARD, default_timeout=60).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def test_tiny_data_gap_cards_and_missing_round(tiny_page):
    at = tiny_page
    assert [(m.label, m.value) for m in at.metric] == [
        ("本县名次", "第3名 / 5"),
        ("距目标：前2名", "差 1.00 分"),
        ("距上一名次：第2名", "差 1.00 分"),
    ]
    at.selectbox(key="rk_table_round_年度测评").set_value("R2024-ND").run()
    assert any(i.value.startswith("本轮缺测 1 个单位：丙县") for i in at.info)
    table = at.dataframe[-1].value
    assert list(table["单位"]) == ["★ 甲县（本县）", "戊区", "乙县", "丁县", "丙县"]
    assert table["名次"].isna().tolist() == [False, False, False, False, True]


def test_a_missing_unit_shows_dashes_not_none_and_ranks_stay_numbers(tiny_page):
    """缺测单位的名次、得分在表里写“—”（与推进会的排名表一样；st.dataframe 默认在格里写英文“None”），列仍是数；
    分项得分明细表同样。"""
    at = tiny_page
    at.selectbox(key="rk_table_round_年度测评").set_value("R2024-ND").run()
    assert [t.proto.placeholder for t in at.dataframe] == ["—"] * len(at.dataframe) and len(at.dataframe) == 2
    table = at.dataframe[-1].value
    assert pd.api.types.is_integer_dtype(table["名次"]) and pd.api.types.is_float_dtype(table["得分"])
    assert table["名次"].isna().tolist()[-1] and table["得分"].isna().tolist()[-1]


def test_tiny_data_target_rank_too_large(tiny_page):
    at = tiny_page
    at.number_input(key="rk_target").set_value(6).run()
    assert any(w.value.startswith("目标名次 6 不在 1 到 5 之间") for w in at.warning)
    assert [m.label for m in at.metric] == ["本县名次", "距上一名次：第2名"]


def units_in_latest_annual_round(db_path) -> int:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("""
            select count(*) from score
            where round_code = (select code from round r
                                where round_type = '年度测评' and is_ranked
                                  and exists (select 1 from score s where s.round_code = r.code)
                                order by end_date desc, code desc limit 1)""").fetchone()[0]
