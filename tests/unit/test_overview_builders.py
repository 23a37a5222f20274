"""总览纯逻辑与图表构建：卡片文字、最差榜单、名次图坐标轴。"""

import pandas as pd

from chuangwen import charts, formats, overview


def rank_row(**kw):
    base = dict(
        round_code="R2025-ND",
        round_name="2025年度测评",
        end_date="2025-10-20",
        total=88.0,
        rank=12,
        group_size=45,
        prev_round_name="2024年度测评",
        prev_total=86.5,
        prev_rank=15,
        points_to_target=1.35,
        target_beyond_group=False,
    )
    base.update(kw)
    return pd.DataFrame([base])


def test_rank_card_shows_rise_in_green():
    card = overview.rank_cards(rank_row(), 10, "年度测评")[0]
    assert (card.value, card.delta, card.delta_arrow, card.delta_color) == ("第12名 / 45", "上升 3 名", "up", "green")


def test_rank_card_shows_fall_in_red():
    card = overview.rank_cards(rank_row(prev_rank=11), 10, "年度测评")[0]
    assert (card.delta, card.delta_arrow, card.delta_color) == ("下降 1 名", "down", "red")


def test_score_card_delta_two_decimals():
    assert overview.rank_cards(rank_row(), 10, "年度测评")[1].delta == "+1.50 分"


def test_target_card_gap_and_reached():
    assert overview.rank_cards(rank_row(), 10, "年度测评")[2].value == "差 1.35 分"
    assert overview.rank_cards(rank_row(rank=8), 10, "年度测评")[2].value == "已达到"


def test_no_scores_gives_explicit_card():
    assert overview.rank_cards(pd.DataFrame(), 10, "年度测评")[0].value == "暂无成绩"


def test_target_rank_outside_group_is_explained():
    assert overview.target_rank_problem(46, 45).startswith("目标名次 46 不在 1 到 45")
    assert overview.target_rank_problem(0, 45) is not None
    assert overview.target_rank_problem(10, 45) is None


def summary_frame():
    return pd.DataFrame(
        [
            ("合计", None, "全县", 10, 6, 3, 4, 1, 4, 3, 1),
            ("镇街", "A", "甲镇", 5, 3, 2, 1, 0, 2, 2, 1),
            ("镇街", "B", "乙镇", 3, 2, 1, 2, 1, 1, 1, 2),
            ("镇街", "C", "丙镇", 1, 1, 0, 1, 0, 1, 0, 3),
            ("镇街", "D", "丁镇", 1, 0, 0, 0, 0, 0, 0, 4),
        ],
        columns=[
            "grouping_kind",
            "code",
            "name",
            "problems",
            "open_now",
            "overdue_now",
            "new_this_week",
            "closed_this_week",
            "closed_in_period",
            "closed_on_time_in_period",
            "worst_rank",
        ],
    )


def test_problem_cards_with_denominator():
    cards = overview.problem_cards(summary_frame())
    assert [c.value for c in cards] == ["6", "3", "1", "75.0%"]
    assert cards[3].delta == "3 / 4 条"
    assert cards[1].delta == "占未销号 50.0%"


def test_worst_three_skips_units_without_problems():
    worst = overview.worst(summary_frame(), "镇街")
    assert worst.to_dict("records") == [
        {"名次": 1, "镇街": "甲镇", "逾期（存量）": 2, "本周新增": 1, "在办问题（存量）": 3},
        {"名次": 2, "镇街": "乙镇", "逾期（存量）": 1, "本周新增": 2, "在办问题（存量）": 2},
        {"名次": 3, "镇街": "丙镇", "逾期（存量）": 0, "本周新增": 1, "在办问题（存量）": 1},
    ]


def test_rate_without_denominator_is_dash():
    assert formats.rate(0, 0) == "—"
    assert formats.rate(1, 3) == "33.3%"


def test_moment_in_chinese():
    assert formats.moment("2026-11-15 18:00:00") == "2026年11月15日 18:00"


def test_rank_history_axis_reversed_with_integer_ticks():
    history = pd.DataFrame(
        {
            "round_name": ["2018年度测评", "2019年度测评", "2020年度测评"],
            "rank": [36, None, 20],
            "total": [80.1, None, 84.2],
            "group_size": [45, None, 45],
        }
    )
    fig = charts.rank_trend_history(history, 10, "澜溪县")
    y = fig.layout.yaxis
    assert y.range == (45.5, 0.5)  # 1 在最上
    assert all(isinstance(v, int) for v in y.tickvals) and y.tickvals[0] == 1
    assert fig.layout.xaxis.type == "category"  # 轮次是类别，不会出现 2,021.5
    assert list(fig.data[0].y) == [36, 20]  # 缺测轮次不画点
    assert fig.data[1].name == "目标：前10名"
