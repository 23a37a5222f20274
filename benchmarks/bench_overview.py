"""总览页耗时：20k 与 1M 问题的示例库，冷启动与热重跑（AppTest 计时，含框架与侧栏），
并与“朴素做法”（把问题和整改事件读进 pandas 再算同样的数字）在同一次运行中对比。

用法：python benchmarks/bench_overview.py [--sizes 20000 1000000] [--dir /tmp/chuangwen-bench] [--runs 5]
只打印数字，不做断言。目标：1M 问题时总览热重跑 ≤ 300 ms。
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
import pandas as pd  # noqa: E402

from chuangwen import demo  # noqa: E402
from tests import apptest  # noqa: E402


def ensure_db(directory: Path, problems: int) -> Path:
    path = directory / f"demo-{problems}.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        demo.build(path, seed=2026, problems=problems)
        print(f"  生成示例库 {problems:,} 条问题：{time.perf_counter() - t0:.1f} s")
    return path


def time_app(path: Path, runs: int) -> tuple[float, list[float], list[float]]:
    """冷启动：清空缓存后第一次完整运行（画框 + 总览）。
    热重跑：缓存已热时完整运行画框与总览（每次新建 AppTest，相当于新会话打开页面；
    计时从 AppTest 建好之后、run 开始，不含 AppTest 自身的准备）；
    另记同一会话内的重跑（AppTest 1.67 在 st.navigation 下重跑只执行页面脚本）。"""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["CHUANGWEN_DB"] = str(path)
    st.cache_data.clear()
    st.cache_resource.clear()
    apptest.sign_in_everywhere(Path(os.environ["CHUANGWEN_DB"]))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    assert not at.exception, at.exception
    full, page_only = [], []
    for _ in range(runs):
        # 新建 AppTest 本身的准备（扫描组件清单，约 0.5 s）不属于应用：建好之后再计时
        fresh = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        t0 = time.perf_counter()
        fresh.run()
        full.append(time.perf_counter() - t0)
        assert not fresh.exception, fresh.exception
        t0 = time.perf_counter()
        at.run()
        page_only.append(time.perf_counter() - t0)
    return cold, full, page_only


def naive_pandas(path: Path) -> float:
    """朴素基线：整表读进 pandas，按事件日志推导状态，再算未销号/逾期/本周销号/按期率。"""
    t0 = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True)
    cutoff = datetime.fromisoformat(con.execute("select value from meta where key='data_cutoff'").fetchone()[0])
    problems = con.execute("select code, found_at, deadline, township_code, lead_unit_code from problem").df()
    events = con.execute("select id, problem_code, event_at, action from rectify_event").df()
    con.close()
    events = events[events["event_at"] <= cutoff].sort_values(["problem_code", "event_at", "id"])
    last = events.groupby("problem_code").tail(1).set_index("problem_code")
    closed_at = events[events["action"] == "已销号"].groupby("problem_code")["event_at"].max()
    p = problems[problems["found_at"] <= cutoff].set_index("code")
    p["last_action"] = last["action"]
    p["is_closed"] = p["last_action"] == "已销号"
    p["closed_at"] = closed_at.where(p["is_closed"].reindex(closed_at.index, fill_value=False))
    p["is_overdue"] = ~p["is_closed"] & p["deadline"].notna() & (p["deadline"] < cutoff)
    week = cutoff - timedelta(days=7)
    start = cutoff - timedelta(days=30)
    for keys in ([], ["township_code"], ["lead_unit_code"]):
        g = p.groupby(keys) if keys else p
        _ = (g["is_closed"].sum(), g["is_overdue"].sum())
    _ = ((p["closed_at"] > week).sum(), ((p["closed_at"] > start) & (p["closed_at"] <= p["deadline"])).sum())
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description="总览页耗时基准")
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 1_000_000])
    ap.add_argument("--dir", type=Path, default=Path("/tmp/chuangwen-bench"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        print(f"== {n:,} 条问题")
        path = ensure_db(args.dir, n)
        cold, warm, page_only = time_app(path, args.runs)
        naive = naive_pandas(path)
        warm_med = statistics.median(warm)
        rows.append((n, cold, warm_med, max(warm), statistics.median(page_only), naive))
        print(f"  总览冷启动（含打开库与全部查询）：{cold * 1000:,.0f} ms")
        print(
            f"  总览热重跑（画框 + 页面）中位数 / 最大：{warm_med * 1000:,.0f} / {max(warm) * 1000:,.0f} ms（目标 ≤ 300 ms）"
        )
        print(f"  同一会话重跑（仅页面脚本）中位数：{statistics.median(page_only) * 1000:,.0f} ms")
        print(f"  朴素基线（pandas 全表推导同样的数字，不含画图）：{naive * 1000:,.0f} ms")
        print(f"  比值：朴素基线 / 冷启动 = {naive / cold:.1f}×；朴素基线 / 热重跑 = {naive / warm_med:.0f}×")
    print()
    print(
        pd.DataFrame(
            rows, columns=["问题数", "冷启动s", "热重跑中位s", "热重跑最大s", "仅页面重跑s", "朴素基线s"]
        ).to_string(index=False)
    )


if __name__ == "__main__":
    main()
