"""按口径另写的答案：页面测试与浏览器测试拿它们核对屏幕上的数字。

只读原始表（问题、整改事件、配合单位、成绩、地区、边界），不经 queries/ 的命名查询，也不用库里的宏与视图
（problem_state_as_of、involves_unit、score_ranked）：口径照各指标的文字说明另写一遍。页面与这里一致，才说明数字对。
db 是库的路径：发布过快照的库读当前快照（与看板读的是同一版）。"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import shapely

from chuangwen import store

# 截至 at 每条已发现问题的最后一个整改动作：按 (事件时间, 事件编号) 取最后一个；没有事件为 null
_PROBLEMS_AT = """
with last_event as (
    select problem_code, action
    from (select problem_code, action,
                 row_number() over (partition by problem_code order by event_at desc, id desc) as nth
          from rectify_event where event_at <= $at)
    where nth = 1
)
select p.code, p.found_at, p.township_code, p.lead_unit_code, p.site_code, p.deadline, p.lon, p.lat,
       e.action as last_action
from problem p
left join last_event e on e.problem_code = p.code
where p.found_at <= $at
"""


def _connect(db) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(store.current(Path(db)).file), read_only=True)


def cutoff_of(db) -> datetime:
    with _connect(db) as con:
        return con.execute("select value::timestamp from meta where key = 'data_cutoff'").fetchone()[0]


def problems_at(db, at: datetime | None = None) -> pd.DataFrame:
    """截至 at（默认数据截至）已发现的每条问题，带最后一个整改动作、是否在办（最后一个动作不是“已销号”，含没有动作的）、
    是否逾期（在办且期限早于 at；没有期限的不逾期）与逾期天数（向上取整到天）。"""
    at = at or cutoff_of(db)
    with _connect(db) as con:
        df = con.execute(_PROBLEMS_AT, {"at": at}).df()
    df["is_open"] = df["last_action"].fillna("") != "已销号"
    df["is_overdue"] = df["is_open"] & df["deadline"].notna() & (df["deadline"] < at)
    late = ((at - df["deadline"]).dt.total_seconds() / 86400).tolist()
    df["days_overdue"] = pd.Series(
        [math.ceil(d) if o else None for d, o in zip(late, df["is_overdue"])], index=df.index, dtype=object
    )
    return df


def unit_codes(db) -> list[str]:
    with _connect(db) as con:
        return [r[0] for r in con.execute("select code from unit order by code").fetchall()]


def involving(db, unit: str) -> set[str]:
    """牵头或配合 unit 的问题编号。"""
    with _connect(db) as con:
        return {
            r[0]
            for r in con.execute(
                "select code from problem where lead_unit_code = $u "
                "union select problem_code from problem_coop_unit where unit_code = $u",
                {"u": unit},
            ).fetchall()
        }


def open_by_definition(db, *, township: str | None = None, unit: str | None = None) -> int:
    """在办问题（存量）：截至数据截至已发现、且截至那时最后一个整改事件不是“已销号”。
    township 只数该镇街的；unit 只数该单位牵头或配合的。"""
    df = problems_at(db)
    df = df[df["is_open"]]
    if township is not None:
        df = df[df["township_code"] == township]
    if unit is not None:
        df = df[df["code"].isin(involving(db, unit))]
    return len(df)


def ledger_cards_by_definition(db, *, unit: str | None = None, overdue_only: bool = False) -> dict[str, int]:
    """整改督办页台账上方的四张计数卡（记录顺序存疑除外）：在办、逾期、逾期 30 天以上、7 天内到期。"""
    at = cutoff_of(db)
    df = problems_at(db, at)
    df = df[df["is_open"]]
    if unit is not None:
        df = df[df["code"].isin(involving(db, unit))]
    if overdue_only:
        df = df[df["is_overdue"]]
    due = df["deadline"].notna() & (df["deadline"] > at) & (df["deadline"] <= at + timedelta(days=7))
    return {
        "在办问题（存量）": len(df),
        "逾期（存量）": int(df["is_overdue"].sum()),
        "逾期30天以上（存量）": sum(1 for d in df["days_overdue"] if d is not None and d > 30),
        "7天内到期": int(due.sum()),
    }


def data_days(db) -> tuple[date, date]:
    """库里数据的第一天（最早的发现、整改或测评开始）与数据截至那天：网址里的日期夹到这两天之间。"""
    with _connect(db) as con:
        first = con.execute(
            "select least((select min(found_at) from problem), (select min(event_at) from rectify_event),"
            " (select min(start_date) from round)::timestamp)"
        ).fetchone()[0]
    return first.date(), cutoff_of(db).date()


def default_range(db) -> tuple[datetime, datetime]:
    """侧栏默认统计区间：数据截至时刻之前 30 天（与月通报同一窗口；起点不含，终点含）。"""
    cutoff = cutoff_of(db)
    return cutoff - timedelta(days=30), cutoff


def found_in_default_range(db) -> tuple[int, int]:
    """侧栏默认区间里发现的问题数，以及其中坐标落在县界内的条数（shapely 判断）。"""
    start, cutoff = default_range(db)
    df = problems_at(db, cutoff)
    df = df[df["found_at"] > start]
    with _connect(db) as con:
        county = con.execute("select value from meta where key = 'our_region_code'").fetchone()[0]
        wkb = con.execute(
            "select geom_wkb from boundary where region_code = $r order by version desc limit 1", {"r": county}
        ).fetchone()[0]
    shape = shapely.from_wkb(bytes(wkb))
    located = df.dropna(subset=["lon", "lat"])
    inside = sum(1 for lon, lat in zip(located["lon"], located["lat"]) if shape.covers(shapely.Point(lon, lat)))
    return len(df), inside


def found_overdue_in_default_range(db) -> int:
    """侧栏默认区间里发现、截至数据截至逾期的问题数（问题热点页“区间内发现且逾期”）。"""
    start, cutoff = default_range(db)
    df = problems_at(db, cutoff)
    return int((df["is_overdue"] & (df["found_at"] > start)).sum())


def found_rebounds_in_default_range(db, rebound_days: int = 30) -> int:
    """侧栏默认区间里发现、记为反弹的问题数（问题热点页“区间内发现且反弹”）。反弹：发现前 N 天内（不含发现那一刻）
    同一点位同一类别有问题销号；或截至数据截至，本条被“反弹重开”，且重开前 N 天内（不含重开那一刻）本条销号过。"""
    start, cutoff = default_range(db)
    with _connect(db) as con:
        return con.execute(
            """
            select count(*) from problem p
            where p.found_at > $s and p.found_at <= $c
              and (exists (select 1 from rectify_event e join problem q on q.code = e.problem_code
                           where e.action = '已销号' and q.site_code = p.site_code and q.category = p.category
                             and e.event_at < p.found_at and p.found_at <= e.event_at + to_days($n))
                   or exists (select 1 from rectify_event r join rectify_event c on c.problem_code = r.problem_code
                              where r.problem_code = p.code and r.action = '反弹重开' and r.event_at <= $c
                                and c.action = '已销号' and c.event_at < r.event_at
                                and r.event_at <= c.event_at + to_days($n)))""",
            {"s": start, "c": cutoff, "n": rebound_days},
        ).fetchone()[0]


def on_time_rate_by_definition(db) -> str:
    """按期销号率（区间内）：默认区间里销号（截至数据截至仍是已销号，最后一次销号在区间里）的问题中，销号不晚于期限
    （没有期限算按期）的比例，一位小数的百分数；区间里没有销号时为“—”。"""
    start, cutoff = default_range(db)
    with _connect(db) as con:
        closed_at = dict(
            con.execute(
                "select problem_code, max(event_at) from rectify_event where action = '已销号' and event_at <= $c "
                "group by 1",
                {"c": cutoff},
            ).fetchall()
        )
    df = problems_at(db, cutoff)
    df = df[~df["is_open"]].copy()
    df["closed_at"] = df["code"].map(closed_at)
    df = df[df["closed_at"] > start]
    on_time = df["deadline"].isna() | (df["closed_at"] <= df["deadline"])
    return "—" if df.empty else f"{100.0 * int(on_time.sum()) / len(df):.1f}%"


def events_of(db, problem_code: str) -> int:
    """这条问题截至数据截至的整改事件数（整改时间线的行数）。"""
    cutoff = cutoff_of(db)
    with _connect(db) as con:
        return con.execute(
            "select count(*) from rectify_event where problem_code = $p and event_at <= $c",
            {"p": problem_code, "c": cutoff},
        ).fetchone()[0]


def site_history_counts(db, site: str) -> tuple[int, int]:
    """点位历史：该点位截至数据截至已发现的问题数，与其中截至那时已销号的条数。"""
    df = problems_at(db)
    df = df[df["site_code"] == site]
    return len(df), int((~df["is_open"]).sum())


def township_open_counts(db) -> dict[str, int]:
    """本县每个镇街（按名称）的未销号问题数，没有在办问题的镇街为 0。"""
    with _connect(db) as con:
        names = dict(
            con.execute(
                "select code, name from region where level = '镇街' and parent_code = "
                "(select value from meta where key = 'our_region_code')"
            ).fetchall()
        )
    df = problems_at(db)
    counts = df[df["is_open"]].groupby("township_code").size()
    return {name: int(counts.get(code, 0)) for code, name in names.items()}


def county_rank_by_definition(db, county: str | None = None, round_type: str = "年度测评") -> tuple[str, str]:
    """本县在最近一轮（按结束日期）有成绩的该类公布排名测评里的名次：(轮次名称, “第N名 / M”)。
    名次 = 1 + 总分（两位小数）高于本县的单位数；M = 该轮有总分的单位数（缺测的不算）。"""
    with _connect(db) as con:
        county = county or con.execute("select value from meta where key = 'our_region_code'").fetchone()[0]
        name, rank, group = con.execute(
            """
            select r.name,
                   1 + count(*) filter (where round(s.total, 2) > round(o.total, 2)),
                   count(*) filter (where s.total is not null)
            from round r
            join score o on o.round_code = r.code and o.region_code = $c and o.total is not null
            join score s on s.round_code = r.code
            where r.round_type = $t and r.is_ranked
            group by r.code, r.name, r.end_date
            order by r.end_date desc, r.code desc
            limit 1""",
            {"c": county, "t": round_type},
        ).fetchone()
    return name, f"第{rank}名 / {group}"


def round_figures_by_definition(db, round_type: str, county: str | None = None) -> tuple[list, list]:
    """某类公布排名测评的各轮（有成绩的，按结束日期、代码排）：本县名次（缺测或没有成绩为 None），组内最高总分。"""
    with _connect(db) as con:
        county = county or con.execute("select value from meta where key = 'our_region_code'").fetchone()[0]
        rows = con.execute(
            """
            select case when any_value(o.total) is not null
                        then 1 + count(*) filter (where round(s.total, 2) > round(o.total, 2)) end,
                   max(round(s.total, 2))
            from round r
            join score s on s.round_code = r.code
            left join score o on o.round_code = r.code and o.region_code = $c
            where r.round_type = $t and r.is_ranked
            group by r.code, r.end_date
            order by r.end_date, r.code""",
            {"c": county, "t": round_type},
        ).fetchall()
    return [r[0] for r in rows], [r[1] for r in rows]


def township_boundaries(db) -> int:
    """本县有边界的镇街数（问题热点地图上每个画一个名称）。"""
    with _connect(db) as con:
        return con.execute(
            "select count(distinct b.region_code) from boundary b join region r on r.code = b.region_code "
            "where r.level = '镇街' and r.parent_code = (select value from meta where key = 'our_region_code')"
        ).fetchone()[0]


def loss_by_enumeration(points: Any, rule: str, per_site: Any, groups: list[tuple[int, int, int]]) -> Any:
    """丢分预警的期望值，按定义逐一列举：每组 (n, k, m) 里把 n 处编号、前 k 处不合格，列出所有 C(n, m) 种等可能的抽法，
    各组独立（所有组合的笛卡尔积）；每种抽法按扣分方式的文字算丢分，取平均。不用组合数公式、不用超几何分布。
    分值与每处扣分给 fractions.Fraction 时全程是分数，答案是精确的有理数。"""
    import itertools

    live = [(n, k, m) for n, k, m in groups if n > 0 and m > 0]
    sampled = sum(m for _, _, m in live)
    per_group = [
        [sum(1 for site in picked if site < k) for picked in itertools.combinations(range(n), m)] for n, k, m in live
    ]
    zero = points * 0
    total, count = zero, 0
    for failing in itertools.product(*per_group):
        if rule == "按比例":
            loss = points * sum(failing) / sampled
        elif rule == "一处即扣完":
            loss = points if sum(failing) > 0 else zero
        else:
            loss = min(points, (per_site or zero) * sum(failing))
        total += loss
        count += 1
    return total / count if count else zero


def failing_places_by_definition(db, at: datetime | None = None) -> set[str]:
    """丢分预警里“不合格的处”，按规则的文字另算（不用 queries/ 与状态宏）：统计时刻所用的测评体系是生效日期不晚于统计日的
    最新版本；截至统计时刻最后一个整改动作不是“已销号”的已发现问题；有点位的问题落在它的点位（点位类型），没有点位的问题
    落在所在镇街、抽样方案里“每镇街”的各类街面类型上；测评标准先用问题自带的本版编号（标准要考察这类点位），
    否则按类别对照（先小类、后大类）。返回有问题落到标准上的处：点位写 S:点位代码，街面问题写 P:问题编号。"""
    con = _connect(db)
    try:
        at = at or cutoff_of(db)
        editions = con.execute(
            "select edition, effective_from from framework_edition order by effective_from desc, edition desc"
        ).fetchall()
        edition = next((e for e, day in editions if day <= at.date()), None)
        if edition is None:
            return set()
        field = {
            code: set(types or [])
            for code, types in con.execute(
                "select code, site_types from framework_node where edition = $e and level = '测评标准' "
                "and method = '实地考察'",
                {"e": edition},
            ).fetchall()
        }
        order = dict(con.execute("select name, coalesce(sort_order, 0) from site_type").fetchall())
        streets = sorted(
            (
                t
                for (t,) in con.execute(
                    "select site_type from sampling_plan where edition = $e and scope = '每镇街'", {"e": edition}
                ).fetchall()
            ),
            key=lambda t: (order.get(t, 0), t),
        )
        mapping = {
            (c, t): s
            for c, t, s in con.execute(
                "select category, site_type, standard_code from standard_category where edition = $e", {"e": edition}
            ).fetchall()
        }
        parent = dict(con.execute("select name, parent from problem_category").fetchall())
        site_type = dict(con.execute("select code, site_type from site").fetchall())
        problems = problems_at(db, at)
        extra = con.execute("select code, edition, standard_code, category from problem").df().set_index("code")
    finally:
        con.close()
    places = set()
    for r in problems.itertuples(index=False):
        if r.last_action == "已销号":
            continue
        own_edition, own_standard, category = extra.loc[r.code, ["edition", "standard_code", "category"]]
        if isinstance(r.site_code, str):
            where = [(f"S:{r.site_code}", site_type[r.site_code])]
        elif isinstance(r.township_code, str):
            where = [(f"P:{r.code}", t) for t in streets]
        else:
            where = []
        for place, t in where:
            if own_edition == edition and t in field.get(own_standard, set()):
                places.add(place)
                continue
            standard = mapping.get((category, t)) or mapping.get((parent.get(category), t))
            if standard is not None and t in field.get(standard, set()):
                places.add(place)
    return places
