"""红黑榜页在示例库上跑通：表格、红黑榜、公式、下钻。整改督办页见 test_supervision_page.py。"""

import json
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import DASHBOARD, switch_to
from tests.builders import build_league_db
from tests.oracles import cutoff_of


def league_page(app):
    return switch_to(app, "app_pages/league.py")


def test_league_page_shows_boards_formula_and_tables(app):
    at = league_page(app)
    assert at.title[0].value == "红黑榜"
    assert any("综合得分 = 100 × (40×按期销号率" in m.value for m in at.markdown)
    headers = [s.value for s in at.subheader]
    assert ":red[红榜]（部门，有资格的前 5 名）" in headers and ":red[红榜]（镇街，有资格的前 5 名）" in headers
    tables = [d.value for d in at.dataframe]
    full = next(t for t in tables if "逾期30天以上" in t.columns and "牵头单位" in t.columns)
    assert full["名次"].iloc[0] == "1"
    assert {"样本数", "测评丢分", "反弹率", "退回", "平均销号天数"} <= set(full.columns)


def test_league_period_switch_to_month_reruns(app, demo_db):
    at = league_page(app)
    at.radio(key="lg_period").set_value("month").run()
    assert not at.exception
    # 按月：统计区间是数据截至前 30 天，名次变化与再往前 30 天比
    cutoff = cutoff_of(demo_db)

    def moment(t):
        return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"

    month, before = cutoff - timedelta(days=30), cutoff - timedelta(days=60)
    assert (
        f"数据截至 {moment(cutoff)}　|　统计区间 {moment(month)} 至 {moment(cutoff)}（不含起点）　|　"
        f"名次变化与上月（{moment(before)} 至 {moment(month)}）比较"
    ) in [c.value for c in at.caption]


def test_township_norm_per_thousand(app):
    at = league_page(app)
    at.radio(key="lg_norm").set_value("每千人").run()
    assert not at.exception
    assert any("交办（每千人）" in d.value.columns for d in at.dataframe)


def test_unit_drill_down_draws_rank_trend_and_category_mix(app):
    at = league_page(app)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    trend = next(s for s in specs if s["layout"]["yaxis"].get("title", {}).get("text") == "名次")
    assert trend["layout"]["yaxis"]["range"][0] > trend["layout"]["yaxis"]["range"][1]
    assert any("问题类别构成" in s["layout"]["title"]["text"] for s in specs)
    at.selectbox(key="lg_unit").select_index(3).run()
    assert not at.exception
    assert any(
        at.selectbox(key="lg_unit").options[3].split("（")[0] in s["layout"]["title"]["text"]
        for s in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    )


@pytest.fixture
def league_app(tmp_path, monkeypatch):
    path = build_league_db(tmp_path / "league.duckdb")
    monkeypatch.setenv("CHUANGWEN_DB", str(path))
    monkeypatch.setenv("CHUANGWEN_MIN_SAMPLE", "2")
    return AppTest.from_file(DASHBOARD, default_timeout=60)


def test_flagged_problems_are_counted_on_the_league_page(league_app):
    at = league_app.run()
    at.switch_page("app_pages/league.py").run()
    assert not at.exception
    assert any("3 条问题的整改记录顺序不可能" in w.value for w in at.warning)


def test_bad_weights_setting_shows_chinese_error(app, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_LEAGUE_WEIGHTS", "按期=40")
    at = app.run()
    at.switch_page("app_pages/league.py").run()
    assert not at.exception
    assert any("红黑榜设置无效" in e.value for e in at.error)
