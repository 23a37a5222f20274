"""红黑榜核心：权重设置、公式文字、统计区间、显示表、红黑榜、名次走势与图表构建（不依赖 streamlit）。"""

import json
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from chuangwen import charts, league, queries, settings
from chuangwen.view import View
from chuangwen.vocabulary import MONTH, SIDEBAR, WEEK
from tests.builders import build_league_db

AS_OF = datetime(2026, 11, 15, 18, 0)
DEFAULT = league.Weights(40, 30, 15, 15, 2)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_league_db(tmp_path_factory.mktemp("core") / "league.duckdb")
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def week_view(as_of=AS_OF) -> View:
    return View(
        cutoff=AS_OF,
        as_of=as_of,
        period_start=as_of - timedelta(days=7),
        first_day=date(2026, 1, 1),
        county_code="990101",
    )


def unit_board(con, as_of=AS_OF, min_sample=2):
    return queries.run(con, "league_units", week_view(as_of), **league.board_params(DEFAULT, min_sample))


def unit_trend(con, unit_code="D01", weeks=3):
    return league.rank_trend(
        queries.run(
            con,
            "league_unit_rank_trend",
            week_view(),
            unit_code=unit_code,
            points=weeks,
            step=timedelta(days=7),
            **league.board_params(DEFAULT, 2),
        )
    )


# ---------------------------------------------------------------- 设置


def test_default_weights(monkeypatch):
    monkeypatch.delenv("CHUANGWEN_LEAGUE_WEIGHTS", raising=False)
    assert league.Weights.from_setting(settings.get("league_weights")) == DEFAULT


def test_weights_are_parsed_from_chinese_keys(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_LEAGUE_WEIGHTS", "按期=50，逾期=20,反弹=10,退回=20,丢分=0")
    assert settings.get("league_weights") == {"on_time": 50, "overdue": 20, "rebound": 10, "reject": 20, "points": 0}


@pytest.mark.parametrize(
    "raw, message",
    [
        ("按期=40,逾期=30", "缺少权重：反弹、退回、丢分"),
        ("按期=-1,逾期=30,反弹=15,退回=15,丢分=2", "不能为负数"),
        ("按期=0,逾期=0,反弹=0,退回=0,丢分=2", "不能全为 0"),
        ("ontime=40", "无法识别"),
        ("按期=四十,逾期=30,反弹=15,退回=15,丢分=2", "应为数字"),
    ],
)
def test_bad_weights_raise_chinese_error(monkeypatch, raw, message):
    monkeypatch.setenv("CHUANGWEN_LEAGUE_WEIGHTS", raw)
    with pytest.raises(settings.SettingError, match=message):
        settings.get("league_weights")


def test_min_sample_default_and_override(monkeypatch):
    monkeypatch.delenv("CHUANGWEN_MIN_SAMPLE", raising=False)
    assert settings.get("min_sample") == 5
    monkeypatch.setenv("CHUANGWEN_MIN_SAMPLE", "12")
    assert settings.get("min_sample") == 12


# ---------------------------------------------------------------- 公式与区间


def test_formula_text_shows_the_weights():
    assert league.formula_text(DEFAULT) == (
        "综合得分 = 100 × (40×按期销号率 + 30×(1−逾期率) + 15×(1−反弹率) + 15×(1−退回率)) ÷ 100 − 2 × 测评丢分"
    )


def test_period_start_by_week_month_and_sidebar():
    side = datetime(2026, 10, 1)
    assert [league.period_start(AS_OF, side, p) for p in (WEEK, MONTH, SIDEBAR)] == [
        datetime(2026, 11, 8, 18),
        datetime(2026, 10, 16, 18),
        side,
    ]


def test_unknown_period_is_refused():
    with pytest.raises(ValueError, match="未知的统计区间：年"):
        league.period_start(AS_OF, AS_OF, "年")


# ---------------------------------------------------------------- 显示表与红黑榜


def test_display_table_marks_small_samples_and_changes(con):
    table = league.display_table(unit_board(con), name_col="unit_name", name_label="牵头单位").set_index("牵头单位")
    assert table.loc[
        ["城管局", "交警大队", "县委宣传部（文明办）"], ["名次", "变化", "综合得分", "按期销号率（区间内）"]
    ].values.tolist() == [
        ["2", "↓1", "38.00", "50.0%"],
        ["1", "新上榜", "78.00", "100.0%"],
        ["样本不足", "", "—", "—"],
    ]


def test_display_table_per_thousand_residents(con):
    board = queries.run(con, "league_townships", week_view(), **league.board_params(DEFAULT, 2))
    table = league.display_table(board, name_col="township_name", name_label="镇街", norm="每千人").set_index("镇街")
    assert table.loc["城关街道", "交办（每千人）"] == "0.05" and table.loc["东坝镇", "交办（每千人）"] == "0.09"


def test_unknown_norm_is_refused(con):
    with pytest.raises(ValueError, match="未知的口径：每平方公里"):
        league.display_table(unit_board(con), name_col="unit_name", name_label="单位", norm="每平方公里")


def test_township_boards_do_not_overlap_and_blocks_get_no_unit_lists(con):
    towns = queries.run(con, "league_townships", week_view(), **league.board_params(DEFAULT, 2))
    red, black = league.boards(towns, name_col="township_name")
    # 两个有名次：黑榜取后一半（1 名）；城关街道按期 75% 低于全体 87.5%，本就没有红榜资格
    assert (red.values.tolist(), black.values.tolist()) == (
        [[1, "东坝镇", "85.00", "新上榜"]],
        [[2, "城关街道", "69.00", "↓1"]],
    )
    blocks = unit_board(con)
    assert blocks[blocks["kind"] == "块"][["is_red", "is_black"]].any().tolist() == [False, False]


def test_black_board_is_the_bottom_five_outside_the_red_one():
    rows = pd.DataFrame(
        {
            "unit_name": list("ABCDEFGH"),
            "score": [90, 80, 70, 60, 50, 40, 30, 30],
            "rank": [1, 2, 3, 4, 5, 6, 7, 7],
            "prev_rank": [None] * 8,
            "is_red": [True] * 5 + [False] * 3,
            "is_black": [False] * 5 + [True] * 3,
        }
    )
    red, black = league.boards(rows, name_col="unit_name")
    assert (red["名称"].tolist(), black["名称"].tolist()) == (list("ABCDE"), ["G", "H", "F"])


def test_change_labels():
    row = lambda r, p: pd.Series({"rank": r, "prev_rank": p})
    assert [league.change_label(row(*x)) for x in [(1, 3), (4, 2), (2, 2), (2, None), (None, 1)]] == [
        "↑2",
        "↓2",
        "→ 持平",
        "新上榜",
        "",
    ]


# ---------------------------------------------------------------- 名次走势与图表


def test_rank_trend_over_weeks(con):
    trend = unit_trend(con)
    assert trend["week_end"].tolist() == [datetime(2026, 11, 1, 18), datetime(2026, 11, 8, 18), AS_OF]
    assert trend["rank"].tolist()[1:] == [1, 2]
    assert pd.isna(trend["rank"].tolist()[0])


def test_rank_trend_in_one_query_equals_the_weekly_boards(con):
    # 一次查询算 N 周，与逐周跑 league_units（按周）得到的名次、得分、可排名数完全相同
    trend = unit_trend(con, "D01", weeks=4)
    for _, week in trend.iterrows():
        row = unit_board(con, week["week_end"]).set_index("unit_code").loc["D01"]
        assert (week["ranked_count"], week["enough_sample"]) == (int(row["ranked_count"]), bool(row["enough_sample"]))
        plain = lambda v: None if pd.isna(v) else float(v)
        assert (plain(week["rank"]), plain(week["score"])) == (plain(row["rank"]), plain(row["score"]))


def test_rank_trend_chart_has_reversed_integer_axis(con):
    trend = unit_trend(con)
    spec = json.loads(charts.league_rank_trend(trend, "城管局").to_json())
    y = spec["layout"]["yaxis"]
    assert y["range"][0] > y["range"][1] and all(float(v).is_integer() for v in y["tickvals"])
    assert "1 周样本不足" in spec["layout"]["title"]["text"]
    assert spec["data"][0]["y"] == [None, 1, 2] and spec["data"][0]["connectgaps"] is False


def test_category_mix_chart_stacks_open_and_closed(con):
    mix = queries.run(
        con,
        "league_unit_categories",
        {"unit_code": "D01", "as_of": AS_OF, "period_start": AS_OF - timedelta(days=7), "scope_unit": None},
    )
    assert mix[["category", "problems", "open_now", "overdue"]].values.tolist() == [
        ["出店经营", 4, 3, 2],
        ["暴露垃圾", 1, 0, 0],
    ]
    fig = charts.category_mix(mix, "城管局")
    # 多的在上（plotly 类别轴自下而上）：暴露垃圾 1 条全销号，出店经营 4 条其中 3 条在办
    assert list(fig.data[0].y) == ["暴露垃圾", "出店经营"]
    assert [(t.name, list(t.x)) for t in fig.data] == [("已销号", [1, 1]), ("在办", [0, 3])]


def test_burndown_chart_draws_open_and_overdue(con):
    points = queries.run(
        con,
        "supervision_burndown",
        {"as_of": AS_OF, "township": None, "unit": None, "round": None, "scope_unit": None, "involved_unit": None},
    )
    fig = charts.burndown(points)
    assert [t.name for t in fig.data] == ["在办问题", "其中逾期"]
    assert list(fig.data[0].y)[-1] == 10 and list(fig.data[1].y)[-1] == 4


def test_projected_figure_has_large_type_and_leaves_the_original_alone():
    trend = pd.DataFrame(
        {
            "week_end": [datetime(2026, 11, 8, 18), AS_OF],
            "rank": [3, 1],
            "ranked_count": [4, 4],
            "score": [70.0, 90.0],
            "enough_sample": [True, True],
        }
    )
    fig = charts.league_rank_trend(trend, "城管局")
    big = charts.projected(fig, 680)
    assert fig.layout.height == 320 and fig.layout.font.size == 13  # 原图不动
    assert big.layout.height == 680 and big.layout.font.size == 22 and big.layout.title.font.size == 30
    assert big.layout.xaxis.tickfont.size == 22 and big.layout.yaxis.tickfont.size == 22
    assert big.data[0].textfont.size == 22 and big.data[0].line.width >= 4
    assert charts.projected(big, 680).to_plotly_json() == big.to_plotly_json()  # 再放大一次不变


def test_an_empty_red_list_says_why():
    rows = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4],
            "is_black": [False, False, False, True],
            "overdue_over_30": [2, 1, 0, 5],
            "overdue_rate": [0.1, 0.3, 0.05, 0.9],
            "closed": [5, 4, 0, 1],
        }
    )
    assert league.why_no_red(rows, "镇街", {"red_max_overdue_rate": 0.2}) == (
        "本区间没有镇街符合红榜资格：参与排名、不在黑榜的 3 个中，2 个有逾期 30 天以上的问题，1 个逾期率超过 20%，"
        "1 个区间内没有销号（可以同时有几条）。"
    )
