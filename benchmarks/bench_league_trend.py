"""红黑榜·单位下钻的 8 周名次走势：一次查询（league_unit_rank_trend）对逐周 8 次 league_units（以前页面的写法）。

同一次运行、同一个库：先核对两种算法对每个单位、每一周的名次、得分、可排名数完全一致，再计时（各取多次中最好的一次）。
用法：python benchmarks/bench_league_trend.py [--problems 20000] [--db /tmp/chuangwen-trend.duckdb] [--runs 3]
只打印数字，不做断言（核对不一致时打印差异并以非 0 退出）。
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from chuangwen import demo, league, queries  # noqa: E402
from chuangwen.view import View  # noqa: E402

WEEKS = league.TREND_POINTS


def best(fn, runs: int) -> float:
    fn()  # 预热
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def weekly_loop(con, view: View, params: dict) -> dict:
    """以前的做法：每个周末跑一次 league_units（按周统计）。"""
    return {
        k: queries.run(
            con,
            "league_units",
            view.at(view.as_of - timedelta(days=7 * k), view.as_of - timedelta(days=7 * (k + 1))),
            **params,
        )
        for k in range(WEEKS)
    }


def one_query(con, view: View, params: dict, unit: str) -> pd.DataFrame:
    return queries.run(
        con, "league_unit_rank_trend", view, unit_code=unit, points=WEEKS, step=timedelta(days=7), **params
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=20_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/chuangwen-trend.duckdb"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not args.db.exists():
        t0 = time.perf_counter()
        demo.build(args.db, problems=args.problems)
        print(f"生成示例库：{args.problems:,} 条问题，用时 {time.perf_counter() - t0:.0f} s")
    con = duckdb.connect(str(args.db), read_only=True)
    view = View.of_store(con)
    params = league.configured_params()
    n = con.execute("select count(*) from problem").fetchone()[0]
    print(f"库：{args.db}（问题 {n:,} 条），统计时刻 {view.as_of:%Y-%m-%d %H:%M}，{WEEKS} 周")

    frames = weekly_loop(con, view, params)
    units = list(frames[0]["unit_code"])
    bad = []
    for unit in units:
        trend = one_query(con, view, params, unit).reset_index(drop=True)
        for k in range(WEEKS):
            row = frames[k].set_index("unit_code").loc[unit]
            got = trend.iloc[WEEKS - 1 - k]
            pair = [(got[c], row[c]) for c in ("rank", "score", "ranked_count", "enough_sample")]
            if any(not (pd.isna(a) and pd.isna(b)) and a != b for a, b in pair):
                bad.append(f"{unit} 第 {k} 周：{pair}")
    print(
        f"核对：{len(units)} 个单位 × {WEEKS} 周，"
        + ("全部一致" if not bad else f"{len(bad)} 处不一致：" + "；".join(bad[:5]))
    )

    loop = best(lambda: weekly_loop(con, view, params), args.runs)
    single = best(lambda: one_query(con, view, params, units[0]), args.runs)
    print(f"逐周 {WEEKS} 次 league_units：{loop * 1000:,.0f} ms")
    print(f"一次 league_unit_rank_trend：{single * 1000:,.0f} ms")
    print(f"比值（逐周 ÷ 一次）：{loop / single:.1f}×")
    con.close()
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
