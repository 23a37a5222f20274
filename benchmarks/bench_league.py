"""红黑榜耗时：1,000 万条问题（约 3,000 万条整改事件）时，单位与镇街红黑榜查询的耗时，
并与同一计算的 pandas 实现（同一次运行、同一份数据、结果逐项核对一致）对比。

数据：先用示例生成器生成一个小示例县（单位、镇街、点位、轮次、扣分），再在库里用 SQL 直接追加
N 条合成问题及其整改事件（交办、申请销号、退回、已销号、反弹重开，含少量顺序不可能的记录）。

计时口径（都打印）：
  - DuckDB 不走缓存：queries.run 直接执行 league_units / league_townships（先跑一次预热，再取多次中的最好与中位数）；
  - 应用缓存路径：chuangwen.ui.data.query（st.cache_data）命中时的耗时，即页面热重跑时取红黑榜数据的耗时；
  - pandas：事件与问题预先读入内存（读入时间不计），按同一口径算单位红黑榜（两期状态、记录顺序检查、
    区间事件、扣分、综合得分与名次），与 DuckDB 的 league_units 结果核对一致后比较耗时。

用法：python benchmarks/bench_league.py [--problems 10000000] [--dir /tmp/chuangwen-bench] [--runs 3] [--pandas-runs 1]
只打印数字，不做断言（核对不一致时打印差异并以非 0 退出）。
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from chuangwen import db, demo, league, queries  # noqa: E402

UNTIL = datetime(2026, 11, 15, 18, 0)
WEIGHTS = league.Weights(40, 30, 15, 15, 2)
MIN_SAMPLE = 5

# 合成问题与事件：哈希取“随机数”，结果可复现；全部在 DuckDB 内生成，不经过 Python
SYNTH_PROBLEMS = """
create temp table ref_sites as
select row_number() over (order by code) - 1 as k, code, township_code from site;
create temp table ref_units as
select row_number() over (order by code) - 1 as k, code from unit;
create temp table ref_cats as
select row_number() over (order by name) - 1 as k, name from problem_category where parent is not null;

insert into problem (code, found_at, source, category, site_code, township_code, description, severity,
                     lead_unit_code, deadline)
with n as (
    select (select count(*) from ref_sites) as sites, (select count(*) from ref_units) as units,
           (select count(*) from ref_cats) as cats
),
p as (
    select i,
           $until - to_seconds((hash(i, 'f') % (3 * 365 * 86400))::bigint) as found_at,
           hash(i, 's') % n.sites as sk, hash(i, 'u') % n.units as uk, hash(i, 'c') % n.cats as ck
    from range($n) t(i), n
)
select 'BM' || lpad(i::varchar, 9, '0'),
       found_at,
       '县自查',
       c.name,
       s.code,
       s.township_code,
       '基准合成问题',
       '一般',
       u.code,
       case when hash(i, 'd') % 10 = 0 then null else found_at + to_days((3 + hash(i, 'l') % 12)::integer) end
from p
join ref_sites s on s.k = p.sk
join ref_units u on u.k = p.uk
join ref_cats c on c.k = p.ck;
"""

# 每条问题的事件脚本：o = 结局（0–59 销号；60–69 退回后销号；70–74 销号后反弹重开；75–99 在办）
SYNTH_EVENTS = """
insert into rectify_event (problem_code, event_at, action, unit_code, note)
with p as (
    select code, found_at, lead_unit_code, hash(code, 'o') % 100 as o,
           to_seconds((3600 + hash(code, 'a') % (20 * 86400))::bigint) as d1,
           to_seconds((3600 + hash(code, 'b') % (6 * 86400))::bigint) as d2
    from problem where code like 'BM%'
),
ev as (
    select code, found_at + interval 1 hour as event_at, 1 as seq, '交办' as action from p
    union all select code, found_at + interval 1 hour + d1, 2, '申请销号' from p where o < 75
    union all select code, found_at + interval 1 hour + d1 + d2, 3, '退回' from p where o between 60 and 69
    union all select code, found_at + interval 1 hour + d1 + d2 + interval 2 day, 4, '申请销号' from p where o between 60 and 69
    union all select code, found_at + interval 1 hour + d1 + d2 + case when o between 60 and 69 then interval 3 day else interval 0 day end,
                     5, '已销号' from p where o < 75
    union all select code, found_at + interval 1 hour + d1 + d2 + interval 20 day, 6, '反弹重开' from p where o between 70 and 74
    -- 千分之一的问题多一条不可能的“重复销号”（数据质量检查要标出来）
    union all select code, found_at + interval 1 hour + d1 + d2 + interval 1 day, 7, '已销号' from p where o < 60 and hash(code, 'q') % 1000 = 0
    union all select code, found_at + interval 1 hour + to_seconds((hash(code, 'r') % 3600)::bigint), 0, '整改中' from p where o >= 75
)
select code, event_at, action, null, null
from ev
where event_at <= $until
order by code, seq
"""


def build(directory: Path, problems: int) -> Path:
    path = directory / f"league-{problems}.duckdb"
    if path.exists():
        return path
    t0 = time.perf_counter()
    tmp = directory / f".league-{problems}.tmp.duckdb"
    tmp.unlink(missing_ok=True)
    try:
        demo.build(tmp, seed=2026, problems=2000, until=UNTIL)
        with db.writer(tmp) as con:
            con.execute("set preserve_insertion_order = false")
            con.execute(SYNTH_PROBLEMS, {"n": problems, "until": UNTIL})
            con.execute(SYNTH_EVENTS, {"until": UNTIL})
        con = duckdb.connect(str(tmp))
        con.execute("checkpoint")
        counts = con.execute("select (select count(*) from problem), (select count(*) from rectify_event)").fetchone()
        con.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    print(
        f"  生成基准库：问题 {counts[0]:,} 条、整改事件 {counts[1]:,} 条，用时 {time.perf_counter() - t0:.0f} s，"
        f"文件 {path.stat().st_size / 2**30:.2f} GiB"
    )
    return path


def unit_params(as_of, start):
    return {
        "as_of": as_of,
        "period_start": start,
        "township": None,
        "round": None,
        "scope_unit": None,
        **league.board_params(WEIGHTS, MIN_SAMPLE),
    }


def township_params(as_of, start, county):
    return {**unit_params(as_of, start), "county": county, "unit": None}


def timed(fn, runs: int) -> tuple[list[float], object]:
    out, times = None, []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


# ---------------------------------------------------------------- pandas 实现（同一口径）


def load_for_pandas(con, keys: str) -> dict:
    """读入内存（不计时）。keys="编号"：问题编号原样（字符串，与库里一样）；keys="整数"：预先换成整数 pid
    （更快的 pandas 写法，换号本身的连接不计时，对 pandas 更有利）。"""
    if keys == "整数":
        problems = con.execute("""
            select row_number() over (order by code) - 1 as pid, code, found_at, deadline, lead_unit_code
            from problem order by code""").df()
        events = con.execute("""
            with p as (select row_number() over (order by code) - 1 as pid, code from problem)
            select p.pid, e.id, e.event_at, e.action
            from rectify_event e join p on p.code = e.problem_code""").df()
    else:
        problems = con.execute("select code as pid, code, found_at, deadline, lead_unit_code from problem").df()
        events = con.execute("select problem_code as pid, id, event_at, action from rectify_event").df()
    events["action"] = events["action"].astype("category")
    problems["lead_unit_code"] = problems["lead_unit_code"].astype("category")
    units = con.execute("select code, name, kind from unit").df()
    deductions = con.execute("""
        select r.end_date, du.unit_code, d.points * du.share as points
        from deduction d join round r on r.code = d.round_code join deduction_unit du on du.deduction_id = d.id""").df()
    return {"problems": problems, "events": events, "units": units, "deductions": deductions}


def _order_key(ev: pd.DataFrame) -> np.ndarray:
    # (event_at, id) 合成一个可比较的整数：秒 × 2^26 + id（id < 6,700 万）
    return (ev["event_at"].to_numpy().astype("datetime64[s]").astype(np.int64) << 26) + ev["id"].to_numpy()


def pandas_flags(problems: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """记录顺序不可能的问题与其 flag_at（与 queries 中的规则一致）。"""
    ev = events
    key = _order_key(ev)
    ev = ev.assign(key=key)
    assign = ev[ev["action"] == "交办"].groupby("pid")["key"].min()
    close = ev[ev["action"] == "已销号"].groupby("pid").agg(first_close=("key", "min"))
    close_at = ev[ev["action"] == "已销号"].loc[lambda d: d.groupby("pid")["key"].idxmin()].set_index("pid")["event_at"]
    c = close.join(assign.rename("first_assign"), how="left")
    bad_close = c[c["first_assign"].isna() | (c["first_close"] < c["first_assign"])]
    f1 = pd.DataFrame({"pid": bad_close.index, "flag_at": close_at.reindex(bad_close.index).to_numpy()})
    chain = ev[ev["action"].isin(["已销号", "反弹重开"])].sort_values("key")
    prev = chain.groupby("pid")["action"].shift()
    dup = chain[(chain["action"] == "已销号") & (prev == "已销号")]
    f2 = dup.groupby("pid")["event_at"].min().reset_index(name="flag_at")
    found = problems.set_index("pid")["found_at"]
    early = ev[ev["event_at"].to_numpy() < found.reindex(ev["pid"]).to_numpy()]
    f3 = early.groupby("pid")["event_at"].min().reset_index(name="flag_at")
    flags = pd.concat([f1, f2, f3], ignore_index=True)
    return flags.groupby("pid")["flag_at"].min()


def pandas_state(problems: pd.DataFrame, events: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """与 problem_state_as_of(as_of) 相同：只看 event_at <= as_of，最后一个事件决定状态。"""
    ev = events[events["event_at"] <= as_of]
    key = _order_key(ev)
    last = ev.assign(key=key).groupby("pid")["key"].idxmax()
    last_action = ev.loc[last.to_numpy(), ["pid", "action"]].set_index("pid")["action"]
    closed_at = ev[ev["action"] == "已销号"].groupby("pid")["event_at"].max()
    assigned_at = ev[ev["action"] == "交办"].groupby("pid")["event_at"].min()
    p = problems[problems["found_at"] <= as_of].set_index("pid")
    p = p.assign(
        last_action=last_action.reindex(p.index).astype(object),
        last_closed_at=closed_at.reindex(p.index),
        assigned_at=assigned_at.reindex(p.index),
    )
    p["is_closed"] = p["last_action"] == "已销号"
    p["closed_at"] = p["last_closed_at"].where(p["is_closed"])
    has_deadline = p["deadline"].notna()
    p["is_overdue"] = ~p["is_closed"] & has_deadline & (p["deadline"] < as_of)
    p["closed_late"] = p["is_closed"] & has_deadline & (p["last_closed_at"] > p["deadline"])
    return p


def pandas_period(data: dict, flags: pd.Series, as_of: datetime, start: datetime) -> pd.DataFrame:
    problems, events = data["problems"], data["events"]
    p = pandas_state(problems, events, as_of)
    flagged = flags[flags <= as_of].index
    excluded = p.loc[p.index.intersection(flagged)].groupby("lead_unit_code", observed=True).size()
    p = p.drop(index=p.index.intersection(flagged))
    pe = events[(events["event_at"] > start) & (events["event_at"] <= as_of)]
    reopened = pe[pe["action"] == "反弹重开"].groupby("pid").size()
    rejected = pe[pe["action"] == "退回"].groupby("pid").size()
    reviewed = pe[pe["action"].isin(["已销号", "退回"])].groupby("pid").size()
    f = pd.DataFrame({"unit_code": p["lead_unit_code"].astype(object)}, index=p.index)
    f["is_assigned"] = (p["assigned_at"] > start).fillna(False).astype(bool)
    f["is_closed_in_period"] = p["is_closed"] & (p["closed_at"] > start)
    f["is_closed_on_time"] = f["is_closed_in_period"] & ~p["closed_late"]
    f["is_open"] = ~p["is_closed"]
    f["is_overdue"] = p["is_overdue"]
    days_overdue = np.ceil((as_of - p["deadline"]).dt.total_seconds() / 86400).where(p["is_overdue"])
    f["o1"] = days_overdue <= 7
    f["o2"] = (days_overdue > 7) & (days_overdue <= 30)
    f["o3"] = days_overdue > 30
    f["days_to_close"] = ((p["closed_at"] - p["assigned_at"]).dt.total_seconds() / 86400).where(
        f["is_closed_in_period"]
    )
    f["is_reopened"] = reopened.reindex(p.index, fill_value=0) > 0
    f["rejected"] = rejected.reindex(p.index, fill_value=0)
    f["reviewed"] = reviewed.reindex(p.index, fill_value=0)
    f["in_sample"] = f["is_assigned"] | f["is_closed_in_period"] | f["is_open"]
    g = f.groupby("unit_code")
    agg = pd.DataFrame(
        {
            "sample": g["in_sample"].sum(),
            "assigned": g["is_assigned"].sum(),
            "closed": g["is_closed_in_period"].sum(),
            "closed_on_time": g["is_closed_on_time"].sum(),
            "open_now": g["is_open"].sum(),
            "overdue": g["is_overdue"].sum(),
            "overdue_1_7": g["o1"].sum(),
            "overdue_8_30": g["o2"].sum(),
            "overdue_over_30": g["o3"].sum(),
            "avg_days_to_close": g["days_to_close"].mean(),
            "reopened": g["is_reopened"].sum(),
            "rejected": g["rejected"].sum(),
            "reviewed": g["reviewed"].sum(),
        }
    )
    d = data["deductions"]
    end_ts = pd.to_datetime(d["end_date"])
    pts = d[(end_ts > start) & (end_ts <= as_of)].groupby("unit_code")["points"].sum()
    board = data["units"].set_index("code").join(agg).fillna({c: 0 for c in agg.columns if c != "avg_days_to_close"})
    board["points_lost"] = pts.reindex(board.index, fill_value=0.0)
    board["excluded"] = excluded.reindex(board.index, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        on_time = board["closed_on_time"] / board["closed"].replace(0, np.nan)
        overdue = board["overdue"] / board["open_now"].replace(0, np.nan)
        rebound = board["reopened"] / (board["closed"] + board["reopened"]).replace(0, np.nan)
        reject = board["rejected"] / board["reviewed"].replace(0, np.nan)
    w = WEIGHTS
    num = (
        (w.on_time * on_time).fillna(0)
        + (w.overdue * (1 - overdue)).fillna(0)
        + (w.rebound * (1 - rebound)).fillna(0)
        + (w.reject * (1 - reject)).fillna(0)
    )
    den = (
        on_time.notna() * w.on_time
        + overdue.notna() * w.overdue
        + rebound.notna() * w.rebound
        + reject.notna() * w.reject
    )
    score = (100 * num / den.replace(0, np.nan) - w.points * board["points_lost"]).round(2)
    board["score"] = score.where(board["sample"] >= MIN_SAMPLE)
    board["rank"] = board.groupby("kind")["score"].rank(method="min", ascending=False)
    return board


def pandas_league(data: dict, as_of: datetime, start: datetime) -> pd.DataFrame:
    flags = pandas_flags(data["problems"], data["events"])
    cur = pandas_period(data, flags, as_of, start)
    prev = pandas_period(data, flags, start, start - (as_of - start))
    cur["prev_rank"] = prev["rank"]
    cur["prev_score"] = prev["score"]
    return cur


def compare(duck: pd.DataFrame, pand: pd.DataFrame) -> list[str]:
    d = duck.set_index("unit_code")
    p = pand.reindex(d.index)
    problems = []
    for col in [
        "sample",
        "assigned",
        "closed",
        "closed_on_time",
        "open_now",
        "overdue",
        "overdue_1_7",
        "overdue_8_30",
        "overdue_over_30",
        "reopened",
        "rejected",
        "reviewed",
        "excluded",
    ]:
        if not (d[col].astype("int64").to_numpy() == p[col].astype("int64").to_numpy()).all():
            problems.append(col)
    for col in ["avg_days_to_close", "points_lost", "score", "rank", "prev_rank", "prev_score"]:
        a, b = d[col].astype("float64").to_numpy(), p[col].astype("float64").to_numpy()
        if not np.allclose(a, b, equal_nan=True, atol=1e-6):
            problems.append(col)
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=10_000_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/chuangwen-bench"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pandas-runs", type=int, default=1, help="pandas 每种写法跑几次（1,000 万条时一次要几分钟）")
    ap.add_argument("--memory-limit", default="8GB", help="DuckDB 内存上限（24 GB 机器上给 pandas 留出空间）")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"红黑榜基准：{args.problems:,} 条问题，{os.cpu_count()} 核")
    path = build(args.dir, args.problems)

    con = db.open_readonly(path)
    con.execute(f"set memory_limit = '{args.memory_limit}'")
    county = con.execute("select value from meta where key = 'our_region_code'").fetchone()[0]
    as_of, start = UNTIL, UNTIL - timedelta(days=7)
    counts = con.execute("select (select count(*) from problem), (select count(*) from rectify_event)").fetchone()
    print(f"  问题 {counts[0]:,}、整改事件 {counts[1]:,}")

    # 1) DuckDB，不走缓存
    queries.run(con, "league_units", unit_params(as_of, start))  # 预热（文件页进内存）
    t_units, duck_units = timed(lambda: queries.run(con, "league_units", unit_params(as_of, start)), args.runs)
    t_towns, _ = timed(lambda: queries.run(con, "league_townships", township_params(as_of, start, county)), args.runs)
    both = [a + b for a, b in zip(t_units, t_towns)]
    print(
        f"DuckDB 不走缓存  单位红黑榜：最好 {min(t_units) * 1000:,.0f} ms，中位 {statistics.median(t_units) * 1000:,.0f} ms"
    )
    print(
        f"                 镇街红黑榜：最好 {min(t_towns) * 1000:,.0f} ms，中位 {statistics.median(t_towns) * 1000:,.0f} ms"
    )
    print(f"                 两张合计：  最好 {min(both) * 1000:,.0f} ms")

    # 2) 应用缓存路径（页面热重跑时取数据的方式）
    os.environ["CHUANGWEN_DB"] = str(path)
    from chuangwen.ui import data  # noqa: E402  （导入 streamlit；裸模式下 cache_data 用内存缓存）

    def app_path():
        data.query("league_units", **unit_params(as_of, start))
        data.query("league_townships", **township_params(as_of, start, county))

    t0 = time.perf_counter()
    app_path()
    first = time.perf_counter() - t0
    t_cached, _ = timed(app_path, max(args.runs, 5))
    print(
        f"应用缓存路径     首次（未命中）{first * 1000:,.0f} ms；命中：最好 {min(t_cached) * 1000:.1f} ms，"
        f"中位 {statistics.median(t_cached) * 1000:.1f} ms"
    )

    # 3) pandas，同一口径（只算单位红黑榜，与 DuckDB 的 league_units 逐项核对）；两种键各跑一遍
    failed = False
    for keys in ("编号", "整数"):
        t0 = time.perf_counter()
        frames = load_for_pandas(con, keys)
        print(f"pandas（问题键 = {keys}）读入内存（不计入）：{time.perf_counter() - t0:.1f} s")
        t_pandas, pand = timed(lambda frames=frames: pandas_league(frames, as_of, start), max(1, args.pandas_runs))
        diff = compare(duck_units, pand)
        failed = failed or bool(diff)
        print(
            f"  单位红黑榜：最好 {min(t_pandas) * 1000:,.0f} ms（{len(t_pandas)} 次）；结果核对："
            f"{'一致' if not diff else '不一致：' + '、'.join(diff)}"
        )
        print(
            f"  比值 pandas ÷ DuckDB 不走缓存（单位红黑榜，最好对最好）：{min(t_pandas) / min(t_units):.1f}×；"
            f"pandas ÷ 应用缓存命中（两张表）：{min(t_pandas) / min(t_cached):,.0f}×"
        )
        del frames, pand
    con.close()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
