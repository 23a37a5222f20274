"""问题热点查询在小数据（tests/data/hotspots）上的精确答案：镇街与网格计数、反弹口径、坐标缺失/越界、筛选组合。"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
import shapely

from chuangwen import db, hotspots, queries
from tests.builders import fixture_db

AS_OF = datetime(2026, 11, 15, 18, 0)
START = datetime(2026, 10, 15)
# 县界 = 117.0–117.2 × 31.0–31.1（与 boundary 表中甲县的多边形相同）
RING = "117.0 31.0,117.0 31.1,117.2 31.1,117.2 31.0,117.0 31.0"
HOTSPOT_QUERIES = [
    "hotspot_summary",
    "hotspot_townships",
    "hotspot_grid",
    "hotspot_points",
    "hotspot_bad_coords",
    "hotspot_ranking",
    "hotspot_site_history",
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = fixture_db(tmp_path_factory.mktemp("hotspots") / "hotspots.duckdb", "hotspots")
    c = db.open_readonly(path)
    yield c
    c.close()


def params(**overrides) -> dict:
    base = {
        "as_of": AS_OF,
        "period_start": START,
        "township": None,
        "unit": None,
        "round": None,
        "scope_unit": None,
        "site": None,
        "sources": None,
        "categories": None,
        "severities": None,
        "site_types": None,
        "statuses": None,
        "rebound_days": 30,
        "county_ring": RING,
    }
    return base | overrides


def summary(con, **overrides) -> dict:
    return queries.run(con, "hotspot_summary", params(**overrides)).iloc[0].to_dict()


def codes(con, **overrides) -> list[str]:
    df = queries.run(con, "hotspot_site_history", params(**overrides))
    return sorted(df["problem_code"])


def test_summary_counts_period_problems_by_status_and_coordinates(con):
    assert summary(con) == {
        "problems": 9,
        "located": 7,
        "coords_missing": 1,
        "coords_outside": 1,
        "open_now": 7,
        "overdue_now": 3,
        "closed_now": 2,
        "rebounds": 4,
        "problems_prev": 1,
    }


def test_township_counts_rates_and_total_match_summary(con):
    df = queries.run(con, "hotspot_townships", params(county="990101"))
    rows = df[["code", "name", "sites", "problems", "per_1000", "per_site"]].to_dict("records")
    assert rows == [
        {"code": "990101001", "name": "城关街道", "sites": 1, "problems": 4, "per_1000": 0.03, "per_site": 4.0},
        {"code": "990101002", "name": "东坝镇", "sites": 1, "problems": 5, "per_1000": 0.06, "per_site": 5.0},
    ]
    assert df["problems"].sum() == summary(con)["problems"]


def test_problems_of_townships_outside_the_county_get_their_own_row(con):
    # 换一个没有镇街的县：所有问题都落到“所属镇街不在本县或未填”这一行，不会被悄悄丢掉
    df = queries.run(con, "hotspot_townships", params(county="990102"))
    assert df[["name", "problems"]].to_dict("records") == [{"name": "（所属镇街不在本县或未填）", "problems": 9}]


def test_grid_counts_only_located_problems_per_cell(con):
    df = queries.run(
        con,
        "hotspot_grid",
        params(
            origin_lon=117.0, origin_lat=31.0, cell_lon=0.1, cell_lat=0.1, west=None, south=None, east=None, north=None
        ),
    )
    assert df[["gx", "gy", "problems", "open_now", "overdue_now"]].to_dict("records") == [
        {"gx": 0, "gy": 0, "problems": 4, "open_now": 2, "overdue_now": 0},
        {"gx": 1, "gy": 0, "problems": 3, "open_now": 3, "overdue_now": 2},
    ]
    assert df["problems"].sum() == summary(con)["located"]


def test_grid_for_a_zoomed_in_extent_counts_only_problems_inside_it_with_integer_cell_keys(con):
    # 放大到县界西半边：格宽 1/64°（二进制精确），格号 = floor(经度×64)、floor(纬度×64)；东边的 P3、P5、P11 不在范围内
    df = queries.run(
        con,
        "hotspot_grid",
        params(
            origin_lon=0.0,
            origin_lat=0.0,
            cell_lon=1 / 64,
            cell_lat=1 / 64,
            west=117.0,
            south=31.0,
            east=117.1,
            north=31.1,
        ),
    )
    assert df[["gx", "gy", "problems", "open_now", "overdue_now"]].to_dict("records") == [
        {"gx": 7490, "gy": 1986, "problems": 3, "open_now": 1, "overdue_now": 0},  # P1、P2、P6
        {"gx": 7491, "gy": 1987, "problems": 1, "open_now": 1, "overdue_now": 0},  # P8
    ]
    assert str(df["gx"].dtype) == "int64"


def test_point_in_county_test_follows_a_concave_boundary(con):
    # 凹形县界：矩形上缘挖掉 117.03–117.06 × 31.035–31.1 一块，P1、P2、P6、P8 落在缺口里（越界），P3、P5、P11 仍在县内；
    # 纬度分带后的射线法与逐边比较、与 shapely 的判断一致
    ring = "117.0 31.0,117.0 31.1,117.03 31.1,117.03 31.035,117.06 31.035,117.06 31.1,117.2 31.1,117.2 31.0,117.0 31.0"
    located = ["P3", "P5", "P11"]
    assert summary(con, county_ring=ring)["located"] == len(located)
    assert summary(con, county_ring=ring)["coords_outside"] == 1 + 4
    df = queries.run(con, "hotspot_points", params(county_ring=ring, limit=100))
    assert sorted(df["problem_code"]) == sorted(located)
    polygon = shapely.Polygon([tuple(map(float, p.split())) for p in ring.split(",")])
    assert all(polygon.contains(shapely.Point(x, y)) for x, y in zip(df["lon"], df["lat"]))


def test_points_are_located_problems_newest_first_with_whole_days_open(con):
    df = queries.run(con, "hotspot_points", params(limit=100))
    assert list(df["problem_code"]) == ["P8", "P6", "P5", "P3", "P2", "P1", "P11"]
    days = dict(zip(df["problem_code"], df["days_open"]))
    assert (days["P1"], days["P8"], days["P11"]) == (4, 1, 26)


def test_points_respect_limit(con):
    assert len(queries.run(con, "hotspot_points", params(limit=2))) == 2


def test_missing_and_outside_coordinates_are_listed_not_drawn(con):
    df = queries.run(con, "hotspot_bad_coords", params(limit=100))
    assert df[["problem_code", "coord_status"]].to_dict("records") == [
        {"problem_code": "P4", "coord_status": "坐标缺失"},
        {"problem_code": "P10", "coord_status": "越界"},
    ]
    points = queries.run(con, "hotspot_points", params(limit=100))
    assert not {"P4", "P10"} & set(points["problem_code"])


def test_without_county_ring_every_problem_with_coordinates_counts_as_located(con):
    assert summary(con, county_ring=None)["located"] == 8


@pytest.mark.parametrize(
    "days,expected", [(30, ["P1", "P11", "P2", "P4"]), (27, ["P1", "P11", "P4"]), (7, ["P11"]), (6, [])]
)
def test_rebound_is_same_site_and_category_within_n_days_of_closure(con, days, expected):
    assert codes(con, statuses=("反弹",), rebound_days=days) == expected


def test_rebound_ignores_other_category_at_same_site(con):
    # P6 在 S01 但类别是暴露垃圾；S01 上一次销号的是出店经营（P7），所以不是反弹
    assert "P6" not in codes(con, statuses=("反弹",))


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"sources": ("县自查",)}, ["P1", "P10", "P5", "P8"]),
        ({"categories": ("市容秩序",)}, ["P1", "P2", "P3"]),
        ({"categories": ("暴露垃圾",)}, ["P10", "P11", "P4", "P5", "P6", "P8"]),
        ({"site_types": ("背街小巷",)}, ["P11", "P3", "P4"]),
        ({"severities": ("较重", "严重")}, ["P3", "P6", "P8"]),
        ({"statuses": ("逾期",)}, ["P10", "P11", "P3"]),
        ({"statuses": ("逾期", "反弹")}, ["P1", "P10", "P11", "P2", "P3", "P4"]),
        ({"statuses": ("已销号",)}, ["P1", "P2"]),
        ({"sources": ("县自查",), "statuses": ("在办",)}, ["P10", "P5", "P8"]),
        ({"township": "990101002", "statuses": ("反弹",)}, ["P11", "P4"]),
        ({"scope_unit": "D01"}, ["P1", "P2", "P3"]),
        ({"sources": ("媒体曝光",), "statuses": ("已销号",)}, []),
    ],
)
def test_filter_combinations(con, overrides, expected):
    assert codes(con, **overrides) == expected


def test_empty_filter_result_gives_zero_summary_not_error(con):
    s = summary(con, sources=("媒体曝光",), statuses=("已销号",))
    assert s["problems"] == 0 and s["located"] == 0


def test_ranking_sites_and_townships_with_ties_and_previous_period(con):
    df = queries.run(con, "hotspot_ranking", params(top=10))
    cols = [
        "grouping_kind",
        "code",
        "problems",
        "overdue_now",
        "rebounds",
        "problems_prev",
        "change",
        "rank_problems",
        "rank_overdue",
        "rank_rebounds",
    ]
    rows = [{k: (None if str(v) == "<NA>" else v) for k, v in r.items()} for r in df[cols].to_dict("records")]
    assert rows == [
        {
            "grouping_kind": "点位",
            "code": "S01",
            "problems": 3,
            "overdue_now": 0,
            "rebounds": 2,
            "problems_prev": 1,
            "change": 2,
            "rank_problems": 1,
            "rank_overdue": None,
            "rank_rebounds": 1,
        },
        {
            "grouping_kind": "点位",
            "code": "S02",
            "problems": 3,
            "overdue_now": 2,
            "rebounds": 2,
            "problems_prev": 0,
            "change": 3,
            "rank_problems": 1,
            "rank_overdue": 1,
            "rank_rebounds": 1,
        },
        {
            "grouping_kind": "镇街",
            "code": "990101002",
            "problems": 5,
            "overdue_now": 3,
            "rebounds": 2,
            "problems_prev": 0,
            "change": 5,
            "rank_problems": 1,
            "rank_overdue": 1,
            "rank_rebounds": 1,
        },
        {
            "grouping_kind": "镇街",
            "code": "990101001",
            "problems": 4,
            "overdue_now": 0,
            "rebounds": 2,
            "problems_prev": 1,
            "change": 3,
            "rank_problems": 2,
            "rank_overdue": None,
            "rank_rebounds": 1,
        },
    ]


def test_site_history_shows_every_problem_and_what_came_back_after_closure(con):
    df = queries.run(
        con, "hotspot_site_history", params(**hotspots.history_params("S02", RING), period_start=hotspots.HISTORY_START)
    )
    assert list(df["problem_code"]) == ["P11", "P3", "P4"]
    rows = df.set_index("problem_code")
    assert rows.loc["P11", "came_back_as"] == "P4" and rows.loc["P11", "rebound_after"] == "P11"
    assert rows.loc["P4", "rebound_after"] == "P11" and bool(rows.loc["P4", "is_rebound"])
    assert not rows.loc["P3", "is_rebound"]


def test_site_history_includes_problems_before_the_period(con):
    df = queries.run(
        con, "hotspot_site_history", params(**hotspots.history_params("S01", RING), period_start=hotspots.HISTORY_START)
    )
    assert list(df["problem_code"]) == ["P7", "P1", "P2", "P6"]
    assert df.set_index("problem_code").loc["P7", "came_back_as"] == "P1、P2"


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory):
    """tests/data/site_scope：城管局（D01）与交警大队（D02）共用的点位 S01，反弹一条接一条。"""
    path = fixture_db(tmp_path_factory.mktemp("site_scope") / "site_scope.duckdb", "site_scope")
    c = db.open_readonly(path)
    yield c
    c.close()


def site_history(con, scope_unit: str | None) -> list[dict]:
    df = queries.run(
        con,
        "hotspot_site_history",
        params(**hotspots.history_params("S01", None), period_start=hotspots.HISTORY_START, scope_unit=scope_unit),
    )
    cols = [
        "problem_code",
        "is_rebound",
        "rebound_after",
        "rebound_after_closed_at",
        "rebound_after_other_unit",
        "came_back_as",
    ]
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in df[cols].to_dict("records")]


def test_unit_viewer_site_history_hides_other_units_problems_and_their_codes(shared_site):
    # 城管局看不到 B1（交警大队的问题）这一行；A2、C1 反弹自 B1：只标“其他单位”，不给 B1 的编号与销号时间；
    # A3 反弹自 C1（交警大队牵头、城管局配合）照常写明；A1 销号后再现的 B1 也不出现
    assert site_history(shared_site, "D01") == [
        {
            "problem_code": "A1",
            "is_rebound": False,
            "rebound_after": None,
            "rebound_after_closed_at": None,
            "rebound_after_other_unit": False,
            "came_back_as": None,
        },
        {
            "problem_code": "A2",
            "is_rebound": True,
            "rebound_after": None,
            "rebound_after_closed_at": None,
            "rebound_after_other_unit": True,
            "came_back_as": None,
        },
        {
            "problem_code": "C1",
            "is_rebound": True,
            "rebound_after": None,
            "rebound_after_closed_at": None,
            "rebound_after_other_unit": True,
            "came_back_as": "A3",
        },
        {
            "problem_code": "A3",
            "is_rebound": True,
            "rebound_after": "C1",
            "rebound_after_closed_at": pd.Timestamp("2026-10-27 09:00"),
            "rebound_after_other_unit": False,
            "came_back_as": None,
        },
    ]


def test_other_unit_sees_its_own_rows_and_only_other_unit_for_the_first_units_problem(shared_site):
    assert site_history(shared_site, "D02") == [
        {
            "problem_code": "B1",
            "is_rebound": True,
            "rebound_after": None,
            "rebound_after_closed_at": None,
            "rebound_after_other_unit": True,
            "came_back_as": "C1",
        },
        {
            "problem_code": "C1",
            "is_rebound": True,
            "rebound_after": "B1",
            "rebound_after_closed_at": pd.Timestamp("2026-10-20 09:00"),
            "rebound_after_other_unit": False,
            "came_back_as": None,
        },
    ]


def test_county_viewer_site_history_of_a_shared_site_names_every_problem(shared_site):
    assert site_history(shared_site, None) == [
        {
            "problem_code": "A1",
            "is_rebound": False,
            "rebound_after": None,
            "rebound_after_closed_at": None,
            "rebound_after_other_unit": False,
            "came_back_as": "B1",
        },
        {
            "problem_code": "B1",
            "is_rebound": True,
            "rebound_after": "A1",
            "rebound_after_closed_at": pd.Timestamp("2026-10-14 09:00"),
            "rebound_after_other_unit": False,
            "came_back_as": "A2、C1",
        },
        {
            "problem_code": "A2",
            "is_rebound": True,
            "rebound_after": "B1",
            "rebound_after_closed_at": pd.Timestamp("2026-10-20 09:00"),
            "rebound_after_other_unit": False,
            "came_back_as": None,
        },
        {
            "problem_code": "C1",
            "is_rebound": True,
            "rebound_after": "B1",
            "rebound_after_closed_at": pd.Timestamp("2026-10-20 09:00"),
            "rebound_after_other_unit": False,
            "came_back_as": "A3",
        },
        {
            "problem_code": "A3",
            "is_rebound": True,
            "rebound_after": "C1",
            "rebound_after_closed_at": pd.Timestamp("2026-10-27 09:00"),
            "rebound_after_other_unit": False,
            "came_back_as": None,
        },
    ]


def test_unit_viewer_site_history_table_says_other_unit_without_code_or_date(shared_site):
    history = queries.run(
        shared_site,
        "hotspot_site_history",
        params(**hotspots.history_params("S01", None), period_start=hotspots.HISTORY_START, scope_unit="D01"),
    )
    table = hotspots.history_table(history)
    assert list(table["是否反弹"]) == [
        "否",
        "是（其他单位的问题销号后再次发现）",
        "是（其他单位的问题销号后再次发现）",
        "是（C1 于 2026年10月27日 销号后再次发现）",
    ]
    shown = table.to_csv(index=False)
    assert "B1" not in shown and "10月20日" not in shown and "2026-10-20" not in shown


def test_all_hotspot_queries_share_one_filter_and_rebound_definition():
    # 筛选与反弹只在 hotspot_problems 里（引入唯一的片段）；其余热点查询都读它的结果，自己不再筛
    assert all(queries.load(name).reads == ("hotspot_problems",) for name in HOTSPOT_QUERIES)
    assert all("<筛选与反弹" not in queries.load(name).sql for name in HOTSPOT_QUERIES)
    assert "-- <筛选与反弹" in queries.load("hotspot_problems").sql


def test_county_ring_from_boundary_matches_polygon(con):
    wkb = con.execute("select geom_wkb from boundary where region_code = '990101'").fetchone()[0]
    ring = hotspots.county_ring(wkb)
    assert (
        ring
        == "117.200000 31.000000,117.200000 31.100000,117.000000 31.100000,117.000000 31.000000,117.200000 31.000000"
    )
    assert summary(con, county_ring=ring)["located"] == 7
