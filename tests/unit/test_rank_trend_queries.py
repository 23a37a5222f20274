"""排名趋势查询在 tests/data/rank 上的精确答案（手算见 02_framework_rounds_scores.sql 的注释）。"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from chuangwen import queries
from tests.builders import RANK_OURS, build_rank_db

OURS = RANK_OURS


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_rank_db(tmp_path_factory.mktemp("rank") / "rank.duckdb")
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def history(con, round_type="年度测评"):
    return queries.run(con, "rank_trend_history", {"round_type": round_type})


def plain(value):
    return None if pd.isna(value) else value


def test_ranks_with_ties_are_competition_ranks(con):
    h = history(con)
    r2023 = h[h["round_code"] == "R2023-ND"]
    assert list(zip(r2023["region_name"], r2023["rank"])) == [
        ("戊区", 1),
        ("乙县", 2),
        ("丁县", 2),
        ("甲县", 4),
        ("丙县", 5),
    ]


def test_missing_unit_is_listed_as_missing_without_rank(con):
    h = history(con)
    r2024 = h[h["round_code"] == "R2024-ND"]
    assert list(zip(r2024["region_name"], [plain(v) for v in r2024["rank"]], r2024["score_status"])) == [
        ("戊区", 1, "正常"),
        ("甲县", 2, "正常"),
        ("乙县", 2, "正常"),
        ("丁县", 4, "正常"),
        ("丙县", None, "缺测"),
    ]
    assert set(r2024["group_size"].dropna()) == {4}


def test_rank_change_after_missing_round_compares_with_last_scored_round(con):
    h = history(con)
    row = h[(h["round_code"] == "R2025-ND") & (h["region_code"] == "990103")].iloc[0]
    assert (row["rank"], row["prev_round_code"], row["prev_rank"], row["rank_change"], row["skipped_rounds"]) == (
        2,
        "R2023-ND",
        5,
        3,
        1,
    )
    assert row["score_change"] == 10.0


def test_rank_change_of_our_county_round_by_round(con):
    h = history(con)
    ours = h[h["region_code"] == OURS]
    assert [plain(v) for v in ours["rank_change"]] == [None, 2, -1]
    assert [plain(v) for v in ours["skipped_rounds"]] == [None, 0, 0]


def test_missing_round_has_no_change(con):
    h = history(con)
    row = h[(h["round_code"] == "R2024-ND") & (h["region_code"] == "990103")].iloc[0]
    assert plain(row["rank_change"]) is None and plain(row["prev_round_code"]) is None


def test_round_labels_are_years_when_one_round_a_year(con):
    h = history(con)
    assert list(h.drop_duplicates("round_seq")["round_label"]) == ["2023年", "2024年", "2025年"]


def test_unranked_rounds_are_left_out(con):
    rounds = queries.run(con, "rank_trend_rounds", {})
    assert list(zip(rounds["round_code"], rounds["group_size"], rounds["missing_count"])) == [
        ("R2023-ND", 5, 0),
        ("R2024-ND", 4, 1),
        ("R2025-ZA", 3, 0),
        ("R2025-ND", 5, 0),
    ]
    assert history(con, "模拟测评").empty


def test_round_type_switch_gives_its_own_rounds(con):
    h = history(con, "年中暗访")
    assert list(zip(h["region_name"], h["rank"])) == [("戊区", 1), ("甲县", 2), ("乙县", 3)]


def test_round_stats_best_median_and_target_line(con):
    stats = queries.run(con, "rank_trend_round_stats", {"round_type": "年度测评", "county": OURS, "target_rank": 2})
    cols = [
        "round_code",
        "group_size",
        "missing_count",
        "best_total",
        "median_total",
        "target_total",
        "our_total",
        "our_rank",
    ]
    assert [tuple(r) for r in stats[cols].itertuples(index=False)] == [
        ("R2023-ND", 5, 0, 90.0, 85.0, 85.0, 80.0, 4),
        ("R2024-ND", 4, 1, 91.0, 86.0, 86.0, 86.0, 2),  # 中位数 = (86+86)/2，缺测的丙县不计
        ("R2025-ND", 5, 0, 92.0, 87.0, 88.0, 87.0, 3),
    ]


def test_target_line_is_empty_beyond_group(con):
    stats = queries.run(con, "rank_trend_round_stats", {"round_type": "年度测评", "county": OURS, "target_rank": 5})
    assert [plain(v) for v in stats["target_total"]] == [78.0, None, 80.0]


def test_our_missing_round_is_reported(con):
    stats = queries.run(con, "rank_trend_round_stats", {"round_type": "年度测评", "county": "990103", "target_rank": 2})
    assert list(stats["our_status"]) == ["正常", "缺测", "正常"]


def needed(con, round_code, county=OURS):
    df = queries.run(con, "rank_trend_points_needed", {"county": county, "round_code": round_code})
    return [(r.k, r.points_needed, r.rank_if_tied, r.boundary_units) for r in df.itertuples()]


def test_points_needed_with_tie_at_the_boundary(con):
    # 2023：其他单位 戊90 乙85 丁85 丙78，本县 80。前2名、前3名都须追平 85（乙、丁并列），追平后并列第2名
    assert needed(con, "R2023-ND") == [
        (1, 10.0, 1, "戊区"),
        (2, 5.0, 2, "乙县、丁县"),
        (3, 5.0, 2, "乙县、丁县"),
        (4, 0.0, 4, "丙县"),
    ]


def test_points_needed_latest_round(con):
    assert [p for _, p, _, _ in needed(con, "R2025-ND")] == [5.0, 1.0, 0.0, 0.0]


def test_points_needed_agrees_with_overview_rank(con):
    ours = dict((k, p) for k, p, _, _ in needed(con, "R2025-ND"))
    for k in (1, 2, 3, 4):
        overview = queries.run(con, "overview_rank", {"county": OURS, "round_type": "年度测评", "target_rank": k})
        assert overview.iloc[0]["round_code"] == "R2025-ND"
        assert overview.iloc[0]["points_to_target"] == ours[k], k


def test_points_needed_empty_when_county_missing(con):
    assert needed(con, "R2024-ND", county="990103") == []


def test_part_gap_by_block_against_target_unit(con):
    parts = queries.run(con, "rank_trend_part_gap", {"county": OURS, "round_code": "R2025-ND", "target_rank": 2})
    blocks = parts[parts["level"] == "板块"]
    cols = [
        "node_name",
        "our_score",
        "best_score",
        "average_score",
        "target_unit_name",
        "target_unit_score",
        "gap_to_best",
        "gap_to_average",
        "gap_to_target",
        "units_with_score",
    ]
    assert [tuple(r) for r in blocks[cols].itertuples(index=False)] == [
        ("基础设施", 52.0, 55.0, 51.6, "丙县", 50.0, 3.0, -0.4, -2.0, 5),
        ("文明风尚", 35.0, 38.0, 35.2, "丙县", 38.0, 3.0, 0.2, 3.0, 5),
    ]
    items = parts[parts["level"] == "测评项目"]
    assert list(zip(items["node_name"], items["parent_name"], items["gap_to_target"])) == [
        ("市容环境", "基础设施", -1.0),
        ("交通秩序", "基础设施", -1.0),
        ("公益广告", "文明风尚", 3.0),
    ]


def test_part_gap_leaves_out_missing_units(con):
    # 2024 丙县缺测但录了分项：不参与对比，只剩本县
    parts = queries.run(con, "rank_trend_part_gap", {"county": OURS, "round_code": "R2024-ND", "target_rank": 1})
    assert list(zip(parts["node_name"], parts["best_score"], parts["units_with_score"])) == [
        ("基础设施", 50.0, 1),
        ("文明风尚", 36.0, 1),
    ]
    assert parts["target_unit_score"].isna().all()


def test_round_parts_for_table_skip_missing_units(con):
    parts = queries.run(con, "rank_trend_round_parts", {"round_code": "R2024-ND"})
    assert list(zip(parts["region_code"], parts["node_name"], parts["score"])) == [
        ("990101", "基础设施", 50.0),
        ("990101", "文明风尚", 36.0),
    ]


def test_rank_units_lists_the_group(con):
    units = queries.run(con, "rank_trend_units", {})
    assert list(units["region_name"]) == ["甲县", "乙县", "丙县", "丁县", "戊区"]
