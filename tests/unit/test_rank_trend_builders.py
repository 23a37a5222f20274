"""排名趋势纯逻辑与图表构建：输入是 tests/data/rank 上的真实查询结果，答案手算。"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from chuangwen import charts, queries, rank_trend
from tests.builders import RANK_OURS as OURS
from tests.builders import build_rank_db


@pytest.fixture(scope="module")
def q(tmp_path_factory):
    path = build_rank_db(tmp_path_factory.mktemp("rankb") / "rank.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield lambda name, **params: queries.run(con, name, params)
    con.close()


@pytest.fixture(scope="module")
def history(q):
    return q("rank_trend_history", round_type="年度测评")


# ---------------------------------------------------------------- 选轮次、选单位


def test_round_types_put_annual_first(q):
    assert rank_trend.round_types(q("rank_trend_rounds")) == ["年度测评", "年中暗访"]
    assert rank_trend.default_round_type(["年中暗访"]) == "年中暗访"


def test_rounds_of_type_latest_first(q):
    assert list(rank_trend.rounds_of_type(q("rank_trend_rounds"), "年度测评")) == ["R2025-ND", "R2024-ND", "R2023-ND"]


def test_shown_units_ours_rivals_then_top_n_with_ties(history):
    # 2025 名次：戊1 丙2 甲3 乙3 丁5；前3名含并列的乙县
    assert rank_trend.shown_units(history, OURS, 3, ["990104"]) == [OURS, "990104", "990105", "990103", "990102"]
    assert rank_trend.shown_units(history, OURS, 0, []) == [OURS]


def test_default_rivals_from_meta_or_units_just_above(history):
    units = ["990101", "990102", "990103", "990104", "990105"]
    assert rank_trend.default_rivals("990104,990105,999999", units, history, OURS) == ["990104", "990105"]
    assert rank_trend.default_rivals(None, units, history, OURS) == ["990105", "990103"]


def test_missing_note_names_unit_and_round(history):
    assert rank_trend.missing_note(history, [OURS, "990103"]).startswith("缺测：丙县（2024年度测评）。")
    assert rank_trend.missing_note(history, [OURS]) is None


# ---------------------------------------------------------------- 目标名次与差距


def test_target_rank_outside_group_gets_clear_message():
    assert rank_trend.target_problem(6, 5).startswith("目标名次 6 不在 1 到 5 之间")
    assert rank_trend.target_problem(0, 5).startswith("目标名次 0 不在 1 到 5 之间")
    assert rank_trend.target_problem(5, 5) is None
    assert "未设定目标名次" in rank_trend.target_problem(None, 5)


def test_points_to_rank_last_place_is_always_reached(q):
    needed = q("rank_trend_points_needed", county=OURS, round_code="R2025-ND")
    assert rank_trend.points_to_rank(needed, 5).points == 0.0
    assert rank_trend.points_to_rank(needed, 6) is None


def test_gap_cards_explain_tie_at_boundary(q):
    needed = q("rank_trend_points_needed", county=OURS, round_code="R2023-ND")
    cards = rank_trend.gap_cards(needed, 3)
    assert [(c.label, c.value) for c in cards] == [
        ("本县名次", "第4名 / 5"),
        ("距目标：前3名", "差 5.00 分"),
        ("距上一名次：第3名", "差 5.00 分"),
    ]
    assert cards[1].delta == "乙县、丁县并列 85.00 分，追平即与其并列第2名"


def test_gap_cards_reached_and_single_boundary(q):
    needed = q("rank_trend_points_needed", county=OURS, round_code="R2025-ND")
    cards = rank_trend.gap_cards(needed, 3)
    assert cards[1].value == "已达到"
    assert (cards[2].label, cards[2].value, cards[2].delta) == (
        "距上一名次：第2名",
        "差 1.00 分",
        "追平丙县（88.00 分）即并列第2名",
    )


def test_gap_cards_when_county_missing():
    assert [c.value for c in rank_trend.gap_cards(pd.DataFrame(), 2)] == ["缺测"]


def test_part_gap_rows_sorted_by_chosen_gap(q):
    parts = q("rank_trend_part_gap", county=OURS, round_code="R2025-ND", target_rank=2)
    assert list(rank_trend.part_gap_rows(parts, "板块", "目标名次对标单位")["node_name"]) == ["文明风尚", "基础设施"]
    assert list(rank_trend.part_gap_rows(parts, "测评项目", "组内平均")["node_name"]) == [
        "交通秩序",
        "公益广告",
        "市容环境",
    ]
    with pytest.raises(KeyError, match="gap_to_best; drop table score"):
        rank_trend.part_gap_rows(parts, "板块", "gap_to_best; drop table score")


def test_part_gap_table_names_target_unit(q):
    parts = q("rank_trend_part_gap", county=OURS, round_code="R2025-ND", target_rank=2)
    table = rank_trend.part_gap_table(rank_trend.part_gap_rows(parts, "测评项目", "组内最高"), "测评项目")
    assert list(table.columns[:4]) == ["测评项目", "所属板块", "满分", "本县"]
    assert "对标单位（丙县）" in table.columns


# ---------------------------------------------------------------- 排名表


def test_change_text_arrows():
    assert [rank_trend.change_text(v) for v in (2, -1, 0, None)] == ["▲2", "▼1", "持平", "—"]
    assert rank_trend.change_text(3, "2023年度测评", 1) == "▲3（较2023年度测评）"


def test_rank_table_pins_ours_and_puts_missing_last(q, history):
    rows = history[history["round_code"] == "R2024-ND"]
    table = rank_trend.rank_table(rows, q("rank_trend_round_parts", round_code="R2024-ND"), OURS, "得分")
    assert list(table["单位"]) == ["★ 甲县（本县）", "戊区", "乙县", "丁县", "丙县"]
    assert table["名次"].isna().tolist() == [False, False, False, False, True]
    assert list(table["说明"])[-1] == "缺测，不参与本轮排名"
    assert list(table.columns) == ["名次", "单位", "得分", "名次变化", "得分变化", "基础设施", "文明风尚", "说明"]


def test_rank_table_sorts_by_change_and_block(q, history):
    rows = history[history["round_code"] == "R2025-ND"]
    parts = q("rank_trend_round_parts", round_code="R2025-ND")
    by_change = rank_trend.rank_table(rows, parts, OURS, "名次变化")
    assert list(by_change["名次变化"]) == ["▼1", "▲3（较2023年度测评）", "持平", "▼1", "▼1"]
    assert list(by_change["说明"])[1] == "上1轮缺测，变化较2023年度测评"
    by_block = rank_trend.rank_table(rows, parts, OURS, "文明风尚")
    assert list(by_block["单位"]) == ["★ 甲县（本县）", "丙县", "戊区", "乙县", "丁县"]


def test_rank_table_rejects_unknown_sort(q, history):
    rows = history[history["round_code"] == "R2025-ND"]
    with pytest.raises(ValueError, match="不支持的排序方式"):
        rank_trend.rank_table(rows, q("rank_trend_round_parts", round_code="R2025-ND"), OURS, "total desc; --")
    assert rank_trend.table_sort_options(q("rank_trend_round_parts", round_code="R2025-ND")) == [
        "名次",
        "得分",
        "名次变化",
        "单位",
        "基础设施",
        "文明风尚",
    ]


def test_projector_table_html_marks_our_row_and_escapes_names(q, history):
    rows = history[history["round_code"] == "R2024-ND"].copy()
    rows.loc[rows["region_code"] == "990104", "region_name"] = "丁<县>"
    html = rank_trend.rank_table_html(
        rank_trend.rank_table(rows, q("rank_trend_round_parts", round_code="R2024-ND"), OURS)
    )
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert "#FFE0B2" in first_row and "★ 甲县（本县）" in first_row and ">+6.00</td>" in first_row
    assert "丁&lt;县&gt;" in html and "<NA>" not in html and "nan" not in html
    assert html.count(">缺测</td>") == 1


# ---------------------------------------------------------------- 图表


def test_bump_axis_reversed_integer_ticks_and_categories(history):
    shown = rank_trend.shown_units(history, OURS, 1, ["990103"])
    fig = charts.rank_bump(history, OURS, shown, 2, ["990103"])
    y = fig.layout.yaxis
    assert y.range == (5.5, 0.5)
    assert list(y.tickvals) == [1, 2, 3, 4, 5] and all(isinstance(v, int) for v in y.tickvals)
    assert fig.layout.xaxis.type == "category"
    assert list(fig.layout.xaxis.categoryarray) == ["2023年", "2024年", "2025年"]


def test_bump_draws_ours_last_and_breaks_at_missing_round(history):
    fig = charts.rank_bump(history, OURS, [OURS, "990103"], 2, ["990103"])
    names = [t.name for t in fig.data]
    assert names == ["丙县", "甲县（本县）", "目标：前2名"]
    assert list(fig.data[0].y) == [5, None, 2]
    assert "缺测" in fig.data[0].hovertext[1]
    assert "上升 3 名（较2023年度测评）" in fig.data[0].hovertext[2]
    assert fig.data[1].line.width > fig.data[0].line.width


def test_bump_without_target_has_no_target_line(history):
    fig = charts.rank_bump(history, OURS, [OURS], None)
    assert [t.name for t in fig.data] == ["甲县（本县）"]


def test_bump_ticks_stay_integer_for_large_groups():
    rows = [
        {
            "round_seq": 1,
            "round_label": "2025年",
            "round_name": "2025年度测评",
            "region_code": f"C{i:03d}",
            "region_name": f"单位{i}",
            "total": 100.0 - i * 0.3,
            "rank": i,
            "group_size": 120,
            "score_status": "正常",
            "rank_change": None,
            "prev_rank": None,
            "prev_round_name": None,
        }
        for i in range(1, 121)
    ]
    fig = charts.rank_bump(pd.DataFrame(rows), "C050", ["C050"], 10)
    ticks = list(fig.layout.yaxis.tickvals)
    assert ticks[0] == 1 and ticks[-1] == 120 and all(isinstance(v, int) for v in ticks) and len(ticks) <= 12


def test_score_trend_lines(q):
    stats = q("rank_trend_round_stats", round_type="年度测评", county=OURS, target_rank=2)
    fig = charts.score_trend(stats, "甲县", 2)
    assert [t.name for t in fig.data] == ["组内最高", "组内中位数", "第2名得分（目标线）", "甲县（本县）"]
    assert list(fig.data[2].y) == [85.0, 86.0, 88.0]
    assert list(fig.data[3].y) == [80.0, 86.0, 87.0]


def test_projector_figures_use_large_type(q):
    stats = q("rank_trend_round_stats", round_type="年度测评", county=OURS, target_rank=2)
    normal, big = charts.score_trend(stats, "甲县", 2), charts.score_trend(stats, "甲县", 2, height=680, big=True)
    assert big.layout.font.size >= 22 > normal.layout.font.size
    assert big.layout.xaxis.tickfont.size >= 22 and big.layout.height == 680


def test_part_gap_chart_puts_biggest_gap_on_top(q):
    parts = q("rank_trend_part_gap", county=OURS, round_code="R2025-ND", target_rank=2)
    rows = rank_trend.part_gap_rows(parts, "板块", "目标名次对标单位")
    fig = charts.part_gap(rows, "板块", "目标名次对标单位")
    assert list(fig.layout.yaxis.categoryarray) == ["基础设施", "文明风尚"]  # 自下而上：差距最大的在最上
    assert [t.name for t in fig.data[1:5]] == ["组内最高", "组内平均", "对标单位（丙县）", "本县"]
    # 差距写在它比较的两个点（本县与对标单位）之间的连线正上方
    segment, notes = fig.data[0], fig.layout.annotations
    ours, target = list(rows["our_score"].iloc[::-1]), list(rows["target_unit_score"].iloc[::-1])
    assert list(segment.x) == [ours[0], target[0], None, ours[1], target[1], None]
    assert [n.text for n in notes] == ["领先 2.00", "差 3.00"]
    assert [n.x for n in notes] == [(ours[0] + target[0]) / 2, (ours[1] + target[1]) / 2]
    assert [n.y for n in notes] == ["基础设施", "文明风尚"]


def test_spread_keeps_labels_apart_and_inside():
    assert charts.spread([100, 105, 300], 20, 0, 400) == [100, 120, 300]
    assert charts.spread([390, 395], 20, 0, 400) == [380, 400]  # 到底出界：整体往上推
    assert charts.spread([50, 10], 20, 0, 400) == [50, 10]  # 本来就够远：不动
    assert min(charts.spread([5, 5, 5], 10, 0, 12)) >= 0  # 放不下时也不早于 low


def test_end_labels_of_adjacent_ranks_do_not_overlap():
    ends = [
        ("2026年", 13, "澜溪县", "#B71C1C"),
        ("2026年", 12, "棠岭县", "#6A1B9A"),
        ("2025年", 30, "青岚县", "#1565C0"),
    ]
    notes = charts.end_labels(ends, max_rank=45, plot_px=380, font_px=13)
    assert [n["text"] for n in notes] == ["澜溪县", "棠岭县", "青岚县"]
    per_rank = 380 / 45
    tops = {n["text"]: (n["y"] - 0.5) * per_rank + n["ay"] for n in notes}
    assert abs(tops["澜溪县"] - tops["棠岭县"]) >= 13 * 1.45 - 0.1  # 偏移量取一位小数
    assert notes[2]["ay"] == 0  # 别的轮次上的名称不受影响
    assert all(n["showarrow"] and n["xanchor"] == "left" for n in notes)


def test_overview_rank_labels_stay_off_the_target_line():
    history = pd.DataFrame(
        {
            "round_label": ["2024年", "2025年", "2026年"],
            "round_name": ["a", "b", "c"],
            "rank": [30, 20, 12],
            "total": [80.0, 85.0, 88.0],
            "group_size": [45, 45, 45],
        }
    )
    fig = charts.rank_trend_history(history, 10, "澜溪县")
    assert list(fig.data[0].textposition) == ["bottom center", "bottom center", "bottom center"]
    assert list(fig.data[0].text) == ["第30名", "", "第12名"]
    fig = charts.rank_trend_history(history.assign(rank=[30, 20, 8]), 10, "澜溪县")
    assert list(fig.data[0].textposition)[-1] == "top center"
    assert 1 in fig.layout.yaxis.tickvals


def test_rank_table_has_no_empty_note_column_when_nothing_needs_explaining(q, history):
    rows = history[(history["round_code"] == "R2024-ND") & (history["score_status"] != "缺测")]
    table = rank_trend.rank_table(rows, q("rank_trend_round_parts", round_code="R2024-ND"), OURS, "得分")
    assert list(table.columns) == ["名次", "单位", "得分", "名次变化", "得分变化", "基础设施", "文明风尚"]
