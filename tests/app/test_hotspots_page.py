"""问题热点页（AppTest，小示例库）：渲染、本页筛选改变数字并写进网址、网址带来的筛选、空结果、热点表下载、点位历史。"""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.app.conftest import DASHBOARD
from tests.oracles import (
    default_range,
    found_in_default_range,
    found_overdue_in_default_range,
    found_rebounds_in_default_range,
    site_history_counts,
)


def open_page(app, **query):
    at = app
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("app_pages/hotspots.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at, label: str) -> int:
    return int({m.label: m.value for m in at.metric}[label].replace(",", ""))


def test_page_shows_counts_map_and_hotspot_table(app, demo_db):
    at = open_page(app)
    assert at.title[0].value == "问题热点"
    assert [m.label for m in at.metric] == [
        "在办问题（存量）",
        "逾期（存量）",
        "区间内发现",
        "区间内发现且逾期",
        "区间内发现且反弹",
        "可上图",
    ]
    found, inside = found_in_default_range(demo_db)
    assert (metric(at, "区间内发现"), metric(at, "可上图")) == (found, inside)
    # 示例库区间里可上图的不到上限：逐条画出，说明里是可上图的条数
    assert [c.value.split("（")[0] for c in at.caption if "右上角可切换图层" in c.value] == [
        f"逐条显示 {inside:,} 条问题"
    ]
    assert at.get("download_button")[0].proto.label == "下载热点表（Excel）"
    tables = [d.value for d in at.dataframe]
    if found > inside:
        bad, sites, towns = tables
        assert len(bad) == found - inside  # 坐标缺失/越界清单：不上图的每一条都列出
    else:
        sites, towns = tables  # 都能上图时没有这份清单
    assert (list(sites.columns[:2]), list(towns.columns[:2])) == (["名次", "点位"], ["名次", "镇街"])


def test_status_filter_changes_figures_and_is_written_to_url(app, demo_db):
    at = open_page(app)
    before = metric(at, "区间内发现")
    at.multiselect(key="hs_statuses").set_value(["逾期"]).run()
    assert not at.exception
    overdue = found_overdue_in_default_range(demo_db)
    assert (before, metric(at, "区间内发现"), metric(at, "区间内发现且逾期")) == (
        found_in_default_range(demo_db)[0],
        overdue,
        overdue,
    )
    assert at.query_params["st"] == "逾期"


def test_filters_in_url_are_applied_on_open(app, demo_db):
    at = open_page(app, st="反弹", metric="per_1000")
    assert at.multiselect(key="hs_statuses").value == ["反弹"]
    assert at.radio(key="hs_metric").value == "per_1000"
    rebounds = found_rebounds_in_default_range(demo_db)
    assert (metric(at, "区间内发现"), metric(at, "区间内发现且反弹")) == (rebounds, rebounds)


def test_township_in_url_sets_the_shared_sidebar_filter(app):
    code = next(c for c in open_page(app).session_state["hs_town_codes"].values() if c)
    fresh = AppTest.from_file(DASHBOARD, default_timeout=60)  # 新会话：像打开别人发来的链接
    fresh.query_params["town"] = code
    fresh.run()
    # AppTest 换页后树里没有侧栏控件（其状态随之丢失），所以在第一次运行（框架渲染侧栏）后检查
    assert fresh.session_state["flt_township"] == code
    assert fresh.sidebar.selectbox(key="flt_township").value == code


def test_empty_filter_result_shows_message_not_error(app):
    # 示例库的问题从截至日前三年开始：2021 年的一周里没有问题
    at = open_page(app, **{"from": "2021-03-01", "to": "2021-03-07"})
    assert tuple(at.session_state["flt_range"]) == (date(2021, 3, 1), date(2021, 3, 7))
    # 本页没有筛选：说清楚数据在哪一段，给出换到数据最后 30 天的按钮
    assert any("统计区间 2021年3月1日 至 2021年3月7日 里没有发现的问题" in i.value for i in at.info)
    assert not at.metric and at.button(key="empty_window_jump")


def test_picking_a_site_shows_its_history(app, demo_db):
    at = open_page(app)
    site_table = next(d.value for d in at.dataframe if "点位代码" in d.value.columns)
    site_code = site_table["点位代码"].iloc[0]
    at.selectbox(key="hs_site").set_value(site_code).run()
    assert not at.exception
    # 点位历史不限统计区间：该点位截至数据截至的全部问题，每条一行
    total, closed = site_history_counts(demo_db, site_code)
    summary = next(c.value for c in at.caption if c.value.startswith("该点位共 "))
    assert (summary.split("、记为反弹")[0], len(at.dataframe[-1].value)) == (
        f"该点位共 {total} 条问题，其中已销号 {closed} 条",
        total,
    )


def test_the_site_picker_says_not_picked_in_chinese_before_and_after_a_rerun(app):
    """点位选择框没选时写“（未选择）”：选中的是 None 这一项时如此；第二轮起 projector.keep 把 None 赋回会话，前端当作
    “没有选”、显示 placeholder，也如此（默认是英文“Choose an option”）。"""
    at = open_page(app)
    pick = at.selectbox(key="hs_site")
    assert (pick.value, pick.proto.placeholder, pick.format_func(None)) == (None, "（未选择）", "（未选择）")
    at.run()
    assert at.selectbox(key="hs_site").proto.placeholder == "（未选择）"


def test_an_empty_window_says_where_the_data_is_and_offers_that_range(app, demo_db):
    import duckdb

    with duckdb.connect(str(demo_db), read_only=True) as con:
        empty_day = con.execute("""
            select d::date from range((select min(found_at)::date from problem), (select max(found_at)::date from problem),
                                      interval 1 day) t(d)
            where not exists (select 1 from problem where found_at::date = d::date) order by 1 desc limit 1""").fetchone()[
            0
        ]
    at = open_page(app)
    at.date_input(key="flt_range").set_value((empty_day, empty_day)).run()
    assert not at.metric
    assert any("里没有发现的问题" in i.value and "库里的数据从" in i.value for i in at.info)
    at.button(key="empty_window_jump").click().run()
    # 换到数据的最后 30 天，就是侧栏的默认区间
    assert not at.exception
    start, cutoff = default_range(demo_db)
    assert (tuple(at.session_state["flt_range"]), metric(at, "区间内发现")) == (
        (start.date(), cutoff.date()),
        found_in_default_range(demo_db)[0],
    )
