"""示例库生成器：确定性、规模与故事的合理区间、分值与整改日志的一致性、几何铺满。"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import numpy as np
import pytest
import shapely

from chuangwen import demo, geo

SEED = 7
N_PROBLEMS = 2000
CUTOFF = "(select value::timestamp from meta where key = 'data_cutoff')"
TABLES = (
    "region",
    "boundary",
    "unit",
    "site_type",
    "problem_category",
    "framework_edition",
    "framework_node",
    "negative_item",
    "site",
    "round",
    "score",
    "score_part",
    "deduction",
    "deduction_unit",
    "problem",
    "problem_coop_unit",
    "rectify_event",
    "import_log",
)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """同一种子建两次、另一种子建一次（模块内只建这三次）。"""
    base = tmp_path_factory.mktemp("demo")
    paths = {"a": base / "a.duckdb", "b": base / "b.duckdb", "c": base / "c.duckdb"}
    counts = {
        "a": demo.build(paths["a"], seed=SEED, problems=N_PROBLEMS),
        "b": demo.build(paths["b"], seed=SEED, problems=N_PROBLEMS),
        "c": demo.build(paths["c"], seed=SEED + 1, problems=N_PROBLEMS),
    }
    return paths, counts


@pytest.fixture(scope="module")
def con(builds):
    c = duckdb.connect(str(builds[0]["a"]), read_only=True)
    yield c
    c.close()


def one(con, sql, params=None):
    return con.execute(sql, params or {}).fetchone()[0]


def table_hashes(path) -> dict[str, str]:
    c = duckdb.connect(str(path), read_only=True)
    try:
        out = {
            t: one(c, f"select md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) from {t} t")
            for t in TABLES
        }
        out["meta"] = one(
            c, "select md5(string_agg(key || '=' || value, '|' order by key)) from meta where key <> 'built_at'"
        )
        return out
    finally:
        c.close()


# ---------------------------------------------------------------- 确定性


def test_same_seed_gives_identical_tables(builds):
    paths, _ = builds
    assert table_hashes(paths["a"]) == table_hashes(paths["b"])


def test_different_seed_gives_different_problems(builds):
    paths, _ = builds
    a, c = table_hashes(paths["a"]), table_hashes(paths["c"])
    assert a["problem"] != c["problem"]
    assert a["score"] != c["score"]
    assert a["framework_node"] == c["framework_node"]  # 测评体系与种子无关


def test_build_returns_row_counts(builds, con):
    _, counts = builds
    assert counts["a"]["problem"] == N_PROBLEMS == one(con, "select count(*) from problem")
    assert counts["a"]["rectify_event"] == one(con, "select count(*) from rectify_event")


@pytest.mark.parametrize("bad", [0, -5])
def test_non_positive_problem_count_is_refused_in_chinese(tmp_path, bad):
    with pytest.raises(ValueError, match="问题数"):
        demo.build(tmp_path / "x.duckdb", problems=bad)
    assert not (tmp_path / "x.duckdb").exists()


# ---------------------------------------------------------------- meta 与编码


def test_meta_contract(con):
    meta = dict(con.execute("select key, value from meta").fetchall())
    assert meta["is_demo"] == "1"
    assert meta["data_cutoff"] == "2026-11-15 18:00:00"
    assert meta["province_code"] == "990000"
    assert meta["target_rank"] == "10"
    assert meta["demo_seed"] == str(SEED) and meta["demo_problems"] == str(N_PROBLEMS)
    assert meta["county_name"] == one(con, "select name from region where code = $c", {"c": meta["our_region_code"]})
    assert meta["province_name"] == one(con, "select name from region where code = '990000'")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", meta["built_at"])


def test_region_codes_follow_levels(con):
    rows = con.execute("select code, level, kind, parent_code from region").fetchall()
    pattern = {"省": r"990000", "县级": r"99\d{4}", "镇街": r"99\d{7}", "社区村": r"99\d{10}"}
    kinds = {"县级": {"县", "县级市", "区"}, "镇街": {"镇", "街道", "开发区"}, "社区村": {"社区", "村"}}
    for code, level, kind, parent in rows:
        assert re.fullmatch(pattern[level], code), code
        if level != "省":
            assert kind in kinds[level]
            assert code.startswith(parent[:6] if level != "县级" else "99")


def test_magnitudes(con):
    our = one(con, "select value from meta where key = 'our_region_code'")
    assert 10 <= one(con, "select count(*) from region where level = '镇街' and parent_code = $c", {"c": our}) <= 16
    assert 100 <= one(con, "select count(*) from region where level = '社区村'") <= 500
    assert 300_000 <= one(con, "select population from region where code = $c", {"c": our}) <= 600_000
    assert one(con, "select count(*) from unit") >= 40
    assert one(con, "select count(*) from unit where kind = '块'") == one(
        con, "select count(*) from region where level = '镇街'"
    )
    assert one(con, "select count(*) from site") >= 300
    assert 30 <= one(con, "select count(*) from region where level = '县级'") <= 60
    assert one(con, "select count(distinct year) from round where round_type = '年度测评'") >= 8


def test_every_site_type_is_used(con):
    # 有点位的各类都有点位；主次干道没有点位，抽样方案按镇街计路段
    assert (
        one(
            con,
            "select count(*) from site_type where name not in (select site_type from site)"
            " and name not in (select site_type from sampling_plan where scope = '每镇街')",
        )
        == 0
    )
    assert one(con, "select count(*) from site_type") >= 14


def test_the_loss_model_inputs_are_complete_for_every_edition(con):
    # 丢分预警的示例输入：每个版本每类被实地考察的点位都有抽样方案，抽查数不多于点位数，没有缺分值或点位类型的标准
    from chuangwen import loss_risk, queries

    for day in ("2019-06-01", "2022-06-01", "2026-11-15"):
        inputs = queries.run(con, "loss_risk_inputs", {"as_of": datetime.fromisoformat(day)})
        assert loss_risk.input_notes(inputs) == [], day
    assert one(con, "select count(distinct rule) from standard_scoring") == 2  # 一处即扣完、每处扣分（其余按比例）
    assert one(con, "select count(*) from sampling_plan where scope = '每镇街'") == 3  # 三个版本各一行：主次干道


def test_framework_shape_and_points(con):
    for edition in ("2018版", "2021版", "2024版"):
        shape = dict(
            con.execute(
                "select level, count(*) from framework_node where edition = $e group by 1", {"e": edition}
            ).fetchall()
        )
        assert shape == {"板块": 3, "测评项目": 12, "测评内容": 90, "测评标准": 188}
        assert one(
            con, "select sum(points) from framework_node where edition = $e and level = '测评标准'", {"e": edition}
        ) == pytest.approx(100.0, abs=1e-9)
    # 每个父节点的分值等于子节点之和
    bad = one(
        con,
        """
        select count(*) from framework_node p
        join (select edition, parent_code, sum(points) s from framework_node where parent_code is not null group by all) c
          on c.edition = p.edition and c.parent_code = p.code
        where abs(p.points - c.s) > 1e-9""",
    )
    assert bad == 0
    methods = dict(
        con.execute(
            "select method, count(*) from framework_node where edition = '2024版' and level = '测评标准' group by 1"
        ).fetchall()
    )
    assert max(methods, key=methods.get) == "实地考察" and set(methods) == {"实地考察", "网上申报", "问卷调查"}
    assert (
        one(
            con,
            "select count(*) from framework_node where method = '实地考察' "
            "and (site_types is null or category is null or lead_unit_code is null)",
        )
        == 0
    )


def test_negative_list(con):
    assert con.execute("select count(*), count(*) filter (where is_veto) from negative_item").fetchone() == (29, 12)


def test_problem_categories_are_leaves(con):
    assert (
        one(con, "select count(*) from problem p join problem_category c on c.name = p.category where c.parent is null")
        == 0
    )
    parents = {r[0] for r in con.execute("select name from problem_category where parent is null").fetchall()}
    assert {
        "环境卫生",
        "市容秩序",
        "交通秩序",
        "设施",
        "公益广告",
        "氛围/点位要素",
        "志愿服务",
        "未成年人思想道德建设",
    } <= parents


# ---------------------------------------------------------------- 轮次与成绩


def test_round_codes_and_all_before_cutoff(con):
    codes = [r[0] for r in con.execute("select code from round").fetchall()]
    assert all(re.fullmatch(r"R\d{4}-(ND|ZA|\d\d-(MN|ZC|DC))", c) for c in codes)
    assert one(con, f"select count(*) from round where end_date > {CUTOFF}::date") == 0
    assert set(r[0] for r in con.execute("select distinct round_type from round").fetchall()) == {
        "年度测评",
        "年中暗访",
        "模拟测评",
        "自查",
        "督查",
    }


def _our_ranks(con):
    return con.execute("""
        select r.round_type, s.rank, s.group_size from score_ranked s join round r on r.code = s.round_code
        where s.region_code = (select value from meta where key = 'our_region_code') order by r.start_date
    """).fetchall()


def test_our_county_climbs_from_bottom_third_toward_target(con):
    ranks = _our_ranks(con)
    first_annual = next(r for r in ranks if r[0] == "年度测评")
    assert first_annual[1] > first_annual[2] * 2 / 3
    assert 1 <= ranks[-1][1] <= 15


def test_every_peer_scored_in_every_ranked_round_with_one_gap(con):
    peers = one(con, "select count(*) from region where level = '县级'")
    ranked = one(con, "select count(*) from round where is_ranked")
    assert one(con, "select count(*) from score") == peers * ranked
    missing = con.execute("select note from score where total is null").fetchall()
    assert missing == [("缺测：新设区未参评",)]
    assert one(con, "select min(total) from score") >= 60 and one(con, "select max(total) from score") <= 100


def test_an_exact_tie_shares_a_rank(con):
    assert (
        one(
            con,
            "select count(*) from (select round_code, rank from score_ranked where rank is not null "
            "group by all having count(*) > 1)",
        )
        >= 1
    )


def test_parts_of_each_level_sum_to_total(con):
    bad = one(
        con,
        """
        select count(*) from score s
        join (select round_code, region_code,
                     sum(p.score) filter (where n.level = '板块') boards,
                     sum(p.score) filter (where n.level = '测评项目') items
              from score_part p join framework_node n on n.edition = p.edition and n.code = p.node_code
              group by all) t using (round_code, region_code)
        where abs(t.boards - s.total) > 0.005 or abs(t.items - s.total) > 0.005""",
    )
    assert bad == 0
    assert (
        one(
            con,
            "select count(*) from score s where total is not null and not exists "
            "(select 1 from score_part p where p.round_code = s.round_code and p.region_code = s.region_code)",
        )
        == 0
    )


def test_our_deductions_equal_points_lost(con):
    rows = con.execute("""
        select s.round_code, 100 - s.total, coalesce(sum(d.points), 0)
        from score s join round r on r.code = s.round_code and r.is_ranked
        left join deduction d on d.round_code = s.round_code
        where s.region_code = (select value from meta where key = 'our_region_code')
        group by all""").fetchall()
    assert len(rows) == one(con, "select count(*) from round where is_ranked")
    for _, lost, deducted in rows:
        assert deducted == pytest.approx(lost, abs=1e-6)


def test_deduction_shares_sum_to_one(con):
    assert (
        one(
            con,
            "select count(*) from (select deduction_id from deduction_unit group by 1 "
            "having abs(sum(share) - 1) > 1e-9)",
        )
        == 0
    )
    assert one(con, "select count(*) from deduction where id not in (select deduction_id from deduction_unit)") == 0
    assert (
        one(
            con,
            "select count(*) from deduction d join framework_node n "
            "on n.edition = d.edition and n.code = d.standard_code where d.points > n.points + 1e-9",
        )
        == 0
    )


# ---------------------------------------------------------------- 问题


def test_problem_codes_unique_and_formatted(con):
    assert one(con, "select count(distinct code) from problem") == N_PROBLEMS
    assert one(con, r"select count(*) from problem where not regexp_full_match(code, 'WT\d{4}-\d{6}')") == 0
    assert one(con, "select count(*) from problem where substr(code, 3, 4)::int <> year(found_at)") == 0


def test_source_mix_matches_design(con):
    share = dict(con.execute("select source, count(*) / sum(count(*)) over () from problem group by 1").fetchall())
    for source, designed in zip(demo.SOURCES, demo.SOURCE_SHARES):
        assert share.get(source, 0) == pytest.approx(designed, abs=0.05), source


def test_round_code_matches_source(con):
    pairs = set(
        con.execute(
            "select p.source, r.round_type from problem p left join round r on r.code = p.round_code group by all"
        ).fetchall()
    )
    allowed = {
        ("县自查", "自查"),
        ("市督查", "督查"),
        ("模拟测评", "模拟测评"),
        ("省暗访", "年中暗访"),
        ("省暗访", "年度测评"),
        ("12345热线", None),
        ("媒体曝光", None),
    }
    assert pairs <= allowed
    assert (
        one(
            con,
            "select count(*) from problem p join round r on r.code = p.round_code "
            "where p.source <> '县自查' and p.found_at::date not between r.start_date and r.end_date",
        )
        == 0
    )


def test_seasonal_peak_before_october_rounds(con):
    before, average = con.execute("""
        with oct as (select start_date from round where round_type = '年度测评'
                     and start_date - 42 >= (select min(found_at)::date from problem)),
        pre as (select count(*) / (42.0 * (select count(*) from oct)) per_day from problem p, oct
                where p.found_at::date >= oct.start_date - 42 and p.found_at::date < oct.start_date)
        select pre.per_day, (select count(*) / (date_diff('day', min(found_at), max(found_at)) + 1) from problem)
        from pre""").fetchone()
    assert before >= 1.2 * average


def test_weekdays_busier_than_sundays(con):
    by_dow = dict(con.execute("select dayofweek(found_at), count(*) from problem group by 1").fetchall())
    assert by_dow[0] < 0.85 * np.mean([by_dow[d] for d in range(1, 6)])


def test_problem_category_fits_site_and_standard(con):
    assert (
        one(
            con,
            "select count(*) from problem p join framework_node n on n.edition = p.edition "
            "and n.code = p.standard_code where n.method <> '实地考察' or n.category <> p.category",
        )
        == 0
    )
    assert one(con, "select count(*) from problem where standard_code is null") == 0
    # 多数问题在点位上；热线、媒体曝光与一部分自查是沿街道路上的问题，没有点位
    assert 0.6 <= one(con, "select count(site_code) / count(*) from problem") <= 0.85
    assert (
        one(
            con,
            "select count(*) from problem p join site s on s.code = p.site_code "
            "where s.township_code <> p.township_code",
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from problem p join framework_edition e on e.edition = p.edition "
            "where p.found_at < e.effective_from",
        )
        == 0
    )


def test_hotspots_collect_many_times_more_problems(con):
    per_site = [
        r[0]
        for r in con.execute(
            "select count(*) from problem where site_code is not null group by site_code order by 1 desc"
        ).fetchall()
    ]
    assert per_site[0] >= 5 * np.median(per_site)


def test_severity_mix_and_deadlines(con):
    share = dict(con.execute("select severity, count(*) / sum(count(*)) over () from problem group by 1").fetchall())
    assert share["一般"] == pytest.approx(0.75, abs=0.05)
    assert share["较重"] == pytest.approx(0.20, abs=0.05)
    assert share["严重"] == pytest.approx(0.05, abs=0.03)
    days = set(
        con.execute(
            "select severity, date_diff('second', found_at, deadline) / 86400 from problem "
            "where deadline is not null group by all"
        ).fetchall()
    )
    assert days == {("一般", 3), ("较重", 7), ("严重", 15)}


def test_coordinates_missing_for_about_one_percent(con):
    missing = one(con, "select count(*) filter (where lon is null) / count(*) from problem")
    assert 0.002 <= missing <= 0.03
    assert one(con, "select count(*) from problem where (lon is null) <> (crs_source is null)") == 0
    assert one(con, "select count(*) from problem where crs_source = 'GCJ02' and lon_source is null") == 0


def test_lead_units_follow_tiao_kuai_rules(con):
    # 背街小巷、老旧小区的环境卫生与市容秩序以块为主：多数由所在镇街牵头，其余由包保的县直部门（条）牵头，不会是别的镇街
    block, other_town, total = con.execute("""
        select count(*) filter (where u.kind = '块' and u.region_code = p.township_code),
               count(*) filter (where u.kind = '块' and u.region_code <> p.township_code), count(*)
        from problem p join site s on s.code = p.site_code
        join problem_category c on c.name = p.category join unit u on u.code = p.lead_unit_code
        where s.site_type in ('背街小巷', '老旧小区') and c.parent in ('环境卫生', '市容秩序')""").fetchone()
    assert other_town == 0 and 0.5 <= block / total <= 0.7
    assert (
        one(
            con,
            "select count(*) from problem_coop_unit c join problem p on p.code = c.problem_code "
            "where c.unit_code = p.lead_unit_code",
        )
        == 0
    )
    assert one(con, "select max(n) from (select count(*) n from problem_coop_unit group by problem_code)") <= 2


def test_negative_list_problems_are_few_and_one_still_open(con):
    n = one(con, "select count(*) from problem where negative_item_code is not null")
    assert 5 <= n <= 10
    assert (
        one(con, "select count(*) from problem p join negative_item i on i.code = p.negative_item_code where i.is_veto")
        == 0
    )
    assert (
        one(
            con,
            f"select count(*) from problem_state_as_of({CUTOFF}) s join problem p on p.code = s.problem_code "
            "where p.negative_item_code is not null and not s.is_closed",
        )
        >= 1
    )


# ---------------------------------------------------------------- 整改日志与状态


def test_events_strictly_ordered_within_problem_and_inside_window(con):
    assert (
        one(
            con,
            """
        select count(*) from (
            select event_at, lag(event_at) over (partition by problem_code order by id) prev from rectify_event)
        where event_at <= prev""",
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from rectify_event e join problem p on p.code = e.problem_code "
            "where e.event_at < p.found_at",
        )
        == 0
    )
    assert one(con, f"select count(*) from rectify_event where event_at > {CUTOFF}") == 0
    # id 顺序就是时间顺序（只追加的日志）
    assert (
        one(
            con,
            "select count(*) from (select event_at, lag(event_at) over (order by id) prev "
            "from rectify_event) where event_at < prev",
        )
        == 0
    )


def test_event_sequence_is_a_valid_lifecycle(con):
    allowed_next = {
        None: {"交办"},
        "交办": {"整改中"},
        "整改中": {"申请销号"},
        "申请销号": {"退回", "已销号"},
        "退回": {"申请销号"},
        "已销号": {"反弹重开"},
        "反弹重开": {"整改中"},
    }
    transitions = con.execute("""
        select prev, action from (
            select action, lag(action) over (partition by problem_code order by id) prev from rectify_event)
        group by all""").fetchall()
    for prev, action in transitions:
        assert action in allowed_next[prev], (prev, action)
    checker = one(con, "select code from unit where name = '县委宣传部（文明办）'")
    assert (
        one(
            con,
            "select count(*) from rectify_event where action in ('退回', '已销号') and unit_code <> $c",
            {"c": checker},
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from rectify_event e join problem p on p.code = e.problem_code "
            "where e.action in ('交办', '整改中', '申请销号') and e.unit_code <> p.lead_unit_code",
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from rectify_event where action = '交办' "
            "and event_at::date <> (select found_at::date from problem where code = problem_code)",
        )
        == 0
    )


def test_status_mix_at_cutoff(con):
    open_share, overdue, late, rejected, reopened, closed = con.execute(f"""
        select avg((not is_closed)::int), sum(is_overdue::int), sum(closed_late::int),
               avg((rejected_count > 0)::int), count(*) filter (where reopened_count > 0) / count(*) filter (where is_closed),
               count(*) filter (where is_closed)
        from problem_state_as_of({CUTOFF})""").fetchone()
    assert 0.002 <= open_share <= 0.06
    assert overdue > 0 and late > 0
    # 未销号里既有在办的也有逾期的，逾期不应占压倒多数
    open_count = one(con, f"select count(*) from problem_state_as_of({CUTOFF}) where not is_closed")
    assert 0.2 <= overdue / open_count <= 0.85
    assert 0.04 <= rejected <= 0.12
    assert 0.015 <= reopened <= 0.08


def test_rebounds_concentrate_at_chronic_sites(con):
    top_sites = con.execute("""
        select site_code from problem where site_code is not null group by 1 order by count(*) desc limit 10""").fetchall()
    share = one(
        con,
        f"""
        select count(*) filter (where site_code in (select unnest($s))) / count(*)
        from problem_state_as_of({CUTOFF}) where reopened_count > 0""",
        {"s": [r[0] for r in top_sites]},
    )
    assert share > 0.3


def test_slow_units_carry_the_overdue_backlog(con):
    rate = dict(
        con.execute(f"""
        select u.name, avg(is_overdue::int) from problem_state_as_of({CUTOFF}) s
        join unit u on u.code = s.lead_unit_code group by 1""").fetchall()
    )
    assert rate["交通运输局"] > rate["城管局"] and rate["住建局"] > rate["公安局交警大队"]


# ---------------------------------------------------------------- 几何


def _township_geoms(con):
    our = one(con, "select value from meta where key = 'our_region_code'")
    county = geo.from_wkb(one(con, "select geom_wkb from boundary where region_code = $c", {"c": our}))
    rows = con.execute(
        "select b.region_code, b.geom_wkb from boundary b join region r on r.code = b.region_code "
        "where r.level = '镇街' order by 1"
    ).fetchall()
    return county, [r[0] for r in rows], [geo.from_wkb(r[1]) for r in rows]


def test_townships_tile_the_county(con):
    county, _, towns = _township_geoms(con)
    union = shapely.union_all(towns)
    assert abs(union.area - county.area) / county.area < 1e-9
    assert union.symmetric_difference(county).area / county.area < 1e-9
    for i in range(len(towns)):
        for j in range(i + 1, len(towns)):
            assert towns[i].intersection(towns[j]).area / county.area < 1e-12


def test_county_size_and_areas(con):
    county, _, _ = _township_geoms(con)
    minx, miny, maxx, maxy = county.bounds
    width_km = (maxx - minx) * geo.km_per_deg_lon((miny + maxy) / 2)
    assert 30 <= width_km <= 55
    our = one(con, "select value from meta where key = 'our_region_code'")
    county_area = one(con, "select area_km2 from boundary where region_code = $c", {"c": our})
    towns_area = one(
        con, "select sum(b.area_km2) from boundary b join region r on r.code = b.region_code where r.level = '镇街'"
    )
    assert 700 <= county_area <= 2500
    assert towns_area == pytest.approx(county_area, rel=1e-4)


def test_points_lie_in_their_township(con):
    _, codes, towns = _township_geoms(con)
    for sql in (
        "select township_code, lon, lat from problem where lon is not null",
        "select township_code, lon, lat from site",
        "select parent_code, lon, lat from region where level = '社区村'",
        "select code, lon, lat from region where level = '镇街'",
    ):
        rows = con.execute(sql).fetchall()
        where = geo.locate([r[1] for r in rows], [r[2] for r in rows], towns)
        assert [codes[i] for i in where] == [r[0] for r in rows], sql


def test_gcj02_sites_keep_their_original_coordinates(con):
    n_gcj, kept = con.execute("select count(*), count(lon_source) from site where crs_source = 'GCJ02'").fetchone()
    assert n_gcj > 0 and kept == n_gcj
    assert one(con, "select count(*) from site where crs_source = 'WGS84' and lon_source is not null") == 0


def test_cutoff_is_a_parameter(tmp_path):
    until = datetime(2025, 3, 1, 9, 30)
    demo.build(tmp_path / "early.duckdb", seed=3, problems=300, until=until)
    c = duckdb.connect(str(tmp_path / "early.duckdb"), read_only=True)
    try:
        assert one(c, "select value from meta where key = 'data_cutoff'") == "2025-03-01 09:30:00"
        assert one(c, "select max(event_at) from rectify_event") <= until
        assert one(c, "select max(found_at) from problem") <= until
        assert one(c, "select count(distinct year) from round where round_type = '年度测评'") >= 8
    finally:
        c.close()
