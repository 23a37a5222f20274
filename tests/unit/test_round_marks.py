"""时间图上的检查轮次（Issue 28 第 4 部分）：查询 timeline_rounds 在 tiny 库上的确切名单，阴影带在类别轴上的确切位置，
三张时间图（总览近 12 周、整改督办在办走势、红黑榜单位名次走势）都画出带与标注，投影版标注字号 ≥ 20 px。"""

from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from chuangwen import charts, queries, round_marks

WEEK = pd.Timedelta(days=7)


@pytest.fixture
def con(tiny_db):
    c = duckdb.connect(str(tiny_db), read_only=True)
    yield c
    c.close()


def rounds(*rows):
    return pd.DataFrame(
        [
            {"code": c, "name": n, "round_type": t, "level": "省", "start_date": s, "end_date": e}
            for c, n, t, s, e in rows
        ],
        columns=["code", "name", "round_type", "level", "start_date", "end_date"],
    )


def weekly_axis(*ends):
    return round_marks.TimeAxis(tuple(pd.Timestamp(e) for e in ends), WEEK, spans=True)


def test_query_lists_rounds_overlapping_the_range(con):
    # tiny 的轮次：2024、2025 年度测评（10-14…10-20），2026 年中暗访（06-01…06-10）
    got = queries.run(con, "timeline_rounds", {"start": datetime(2025, 10, 20, 12), "end": datetime(2026, 6, 1, 0)})
    assert got["code"].tolist() == ["R2025-ND", "R2026-06-ZA"]
    # 结束日期当天整天都算：10-20 之后的一刻才不算
    got = queries.run(con, "timeline_rounds", {"start": datetime(2025, 10, 21), "end": datetime(2026, 5, 31, 23)})
    assert got["code"].tolist() == []
    got = queries.run(con, "timeline_rounds", {"start": datetime(2020, 1, 1), "end": datetime(2030, 1, 1)})
    assert got["code"].tolist() == ["R2024-ND", "R2025-ND", "R2026-06-ZA"]


def test_band_positions_on_weekly_bars():
    # 三周：截至 10-04 18:00、10-11 18:00、10-18 18:00 的各一周（柱子占 i−0.5…i+0.5）
    axis = weekly_axis("2026-10-04 18:00", "2026-10-11 18:00", "2026-10-18 18:00")
    # 督查 10-14（0 时）…10-18（含当天，到 10-19 0 时）：起点 (9.25 天 ÷ 7) + 0.5，止点超出最后一周，裁到 2.5
    [band] = round_marks.round_bands(rounds(("D", "10月督查", "督查", date(2026, 10, 14), date(2026, 10, 18))), axis)
    assert band["x0"] == pytest.approx(9.25 / 7 + 0.5)
    assert band["x1"] == 2.5
    assert (band["text"], band["row"]) == ("督查", 0)
    assert band["hover"] == "10月督查　10月14日—10月18日"


def test_instants_axis_and_rounds_outside_are_dropped():
    # 每天同一时刻的点（不占区间）：10-01 18:00 起 5 天
    axis = round_marks.TimeAxis(
        tuple(pd.Timestamp("2026-10-01 18:00") + pd.Timedelta(days=d) for d in range(5)), pd.Timedelta(days=1), False
    )
    got = round_marks.round_bands(
        rounds(
            ("A", "暗访", "年中暗访", date(2026, 10, 3), date(2026, 10, 3)),
            ("Z", "县级自查", "自查", date(2026, 10, 1), date(2026, 10, 31)),  # 自查不标
            ("O", "九月测评", "年度测评", date(2026, 9, 1), date(2026, 9, 30)),  # 整段在图左边之外
            ("L", "十月底督查", "督查", date(2026, 10, 20), date(2026, 10, 22)),  # 整段在图右边之外
        ),
        axis,
    )
    assert [(b["text"], b["x0"], b["x1"]) for b in got] == [("暗访", 1.25, 2.25)]


def test_neighbouring_labels_take_separate_rows():
    axis = weekly_axis(*[pd.Timestamp("2026-09-06 18:00") + WEEK * i for i in range(8)])
    got = round_marks.round_bands(
        rounds(
            ("D1", "督查一", "督查", date(2026, 10, 11), date(2026, 10, 15)),
            ("ND", "年度测评", "年度测评", date(2026, 10, 14), date(2026, 10, 18)),
            ("D2", "督查二", "督查", date(2026, 9, 8), date(2026, 9, 9)),
        ),
        axis,
    )
    # 按开始日期排：督查二（第 0 行），督查一（离督查二远，第 0 行），年度测评（紧挨督查一，第 1 行）
    assert [(b["text"], b["row"]) for b in got] == [("督查", 0), ("督查", 0), ("测评", 1)]


def flow_frame():
    ends = [pd.Timestamp("2026-11-15 18:00") - WEEK * (11 - i) for i in range(12)]
    return pd.DataFrame(
        {
            "weeks_back": list(range(11, -1, -1)),
            "week_start": [e - WEEK for e in ends],
            "week_end": ends,
            "new_problems": [10] * 12,
            "closures": [5] * 11 + [40],
        }
    )


ONE_ROUND = rounds(("ND", "2026年度省级文明城市测评", "年度测评", date(2026, 10, 14), date(2026, 10, 18)))


def test_weekly_flow_marks_the_round_and_leaves_room_above_the_bars():
    fig = charts.weekly_flow(flow_frame(), ONE_ROUND)
    [shape] = fig.layout.shapes
    [note] = fig.layout.annotations
    assert (shape.type, shape.layer, shape.yref) == ("rect", "below", "paper")
    assert note.text == "测评" and note.hovertext == "2026年度省级文明城市测评　10月14日—10月18日"
    # 一行标注占图高的 ROUND_LABEL_ROW：最高的柱（40）之上留出这么多
    assert fig.layout.yaxis.range == pytest.approx((0, 40 * 1.05 / (1 - round_marks.ROUND_LABEL_ROW)))
    # 没有轮次时不画，纵轴自动
    plain = charts.weekly_flow(flow_frame(), ONE_ROUND.iloc[0:0])
    assert plain.layout.shapes == () and plain.layout.yaxis.range is None


def test_burndown_and_unit_rank_trend_are_marked_and_grow_on_the_projector():
    at = [pd.Timestamp("2026-11-15 18:00") - pd.Timedelta(days=56 - d) for d in range(57)]
    points = pd.DataFrame({"days_back": range(56, -1, -1), "at": at, "open_problems": [9] * 57, "overdue": [3] * 57})
    burn = charts.burndown(points, ONE_ROUND)
    assert [a.text for a in burn.layout.annotations] == ["测评"]
    trend = pd.DataFrame(
        {
            "week_end": [datetime(2026, 11, 15, 18) - timedelta(days=7 * (3 - i)) for i in range(4)],
            "rank": [3, 2, None, 1],
            "ranked_count": [5, 5, 5, 5],
            "score": [60.0, 70.0, None, 80.0],
        }
    )
    rank = charts.league_rank_trend(trend, "城管局", "周", ONE_ROUND, timedelta(days=7))
    assert [a.text for a in rank.layout.annotations] == ["测评"]
    # 名次轴 1 在上：上沿（数值小的一端）抬高一行标注的位置，最末一名在下沿不动
    low, high = rank.layout.yaxis.range
    assert low == 5.5 and high == pytest.approx(5.5 - 5.5 / (1 - round_marks.ROUND_LABEL_ROW))
    for fig in (burn, rank):
        big = charts.projected(fig, 900)
        assert all(a.font.size >= 20 for a in big.layout.annotations)
