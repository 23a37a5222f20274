"""示例库生成耗时：2 万与 100 万问题的整库生成，对照逐行做法（Python 循环生成事件、逐行插入）。

只打印数字，不做断言。用法：python benchmarks/bench_demo.py [--skip-million]
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chuangwen import demo  # noqa: E402

NAIVE_SAMPLE_PROBLEMS = 20_000
NAIVE_SAMPLE_INSERTS = 3_000


def timed_build(path: Path, problems: int) -> tuple[dict, float]:
    """整库生成；同时单独计时向量化的整改事件生成。"""
    original = demo.problems.make_rectify_events  # make_problems 在 demo.problems 里按模块名找它
    spent = {}

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        out = original(*args, **kwargs)
        spent["events"] = time.perf_counter() - t
        return out

    demo.problems.make_rectify_events = wrapper
    try:
        counts = demo.build(path, seed=demo.DEFAULT_SEED, problems=problems)
    finally:
        demo.problems.make_rectify_events = original
    return counts, spent["events"]


def naive_event_loop(rows: list[tuple[int, int]], cutoff: int) -> list[tuple]:
    """对照组：同样的整改生命周期，逐个问题用 Python 循环生成事件。"""
    rnd = random.Random(1)
    day = 86400
    events = []
    for code_no, (found, limit_days) in enumerate(rows):
        speed = math.exp(rnd.gauss(0, 0.2))
        end_of_day = found // day * day + 86340
        assign = found + 60 + int(rnd.random() * max(0, min(6 * 3600, end_of_day - found - 60)))
        total = limit_days * speed * math.exp(rnd.gauss(math.log(0.55), 0.45))
        if rnd.random() < 0.05:
            total *= rnd.uniform(8, 60)
        total_s = max(3 * 3600, int(total * day))
        review = max(1800, int(0.25 * total_s * rnd.uniform(0.6, 1.4)))
        plan = [(assign, "交办"), (assign + max(600, int(0.1 * total_s)), "整改中")]
        apply1 = assign + int(max(0.75 * total_s, 0.1 * total_s + 1200))
        plan.append((apply1, "申请销号"))
        t = apply1
        if rnd.random() < 0.08:
            plan.append((t + review, "退回"))
            t = t + review + int(rnd.uniform(0.5, 4.0) * speed * day)
            plan.append((t, "申请销号"))
        plan.append((t + review, "已销号"))
        if rnd.random() < 0.03:
            reopen = t + review + int((3 + rnd.expovariate(1 / 25)) * day)
            plan += [
                (reopen, "反弹重开"),
                (reopen + day // 2, "整改中"),
                (reopen + day, "申请销号"),
                (reopen + day + review, "已销号"),
            ]
        for seq, (at, action) in enumerate(plan):
            if at <= cutoff:
                events.append((code_no, at, seq, action))
    events.sort(key=lambda e: (e[1], e[0], e[2]))
    return events


def naive_insert_rate(db_path: Path, work: Path) -> float:
    """对照组：逐行 insert 整改事件（每行一次 execute），返回每行秒数。"""
    copy = work / "naive_insert.duckdb"
    shutil.copy(db_path, copy)
    con = duckdb.connect(str(copy))
    try:
        codes = [r[0] for r in con.execute("select code from problem limit 200").fetchall()]
        start_id = con.execute("select max(id) from rectify_event").fetchone()[0] + 1
        cutoff = con.execute("select value::timestamp from meta where key = 'data_cutoff'").fetchone()[0]
        con.execute("begin transaction")
        t = time.perf_counter()
        for i in range(NAIVE_SAMPLE_INSERTS):
            con.execute(
                "insert into rectify_event (id, problem_code, event_at, action, unit_code, note) "
                "values ($id, $p, $at, '整改中', 'D02', '逐行写入对照')",
                {"id": start_id + i, "p": codes[i % len(codes)], "at": cutoff},
            )
        per_row = (time.perf_counter() - t) / NAIVE_SAMPLE_INSERTS
        con.execute("rollback")
        return per_row
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-million", action="store_true", help="只跑 2 万问题（快速看一眼）")
    args = parser.parse_args()
    sizes = [20_000] if args.skip_million else [20_000, 1_000_000]

    with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
        work = Path(tmp)
        results = {}
        for n in sizes:
            path = work / f"demo_{n}.duckdb"
            t = time.perf_counter()
            counts, events_s = timed_build(path, n)
            wall = time.perf_counter() - t
            rows = sum(v for k, v in counts.items() if k != "seconds")
            results[n] = (counts, wall, events_s, rows)
            print(
                f"[向量化] 问题 {n:>9,}：整库 {wall:7.2f} s（build 自报 {counts['seconds']:.2f} s），"
                f"整改事件 {counts['rectify_event']:,} 行，全部表 {rows:,} 行"
            )
            print(
                f"          吞吐：{n / wall:,.0f} 问题/s，{rows / wall:,.0f} 行/s；"
                f"其中整改事件生成 {events_s:.2f} s（{counts['rectify_event'] / events_s:,.0f} 事件/s）"
            )
            if n == 1_000_000:
                print(f"          目标 < 120 s：{'达到' if wall < 120 else '未达到'}")

        # 对照 1：Python 循环逐个问题生成事件（在样本上实测，再按问题数线性外推）
        con = duckdb.connect(str(work / "demo_20000.duckdb"), read_only=True)
        sample = con.execute(f"""
            select epoch(found_at)::bigint, case severity when '一般' then 3 when '较重' then 7 else 15 end
            from problem order by code limit {NAIVE_SAMPLE_PROBLEMS}""").fetchall()
        cutoff = con.execute("select epoch(value::timestamp)::bigint from meta where key = 'data_cutoff'").fetchone()[0]
        con.close()
        t = time.perf_counter()
        naive_events = naive_event_loop(sample, cutoff)
        loop_per_problem = (time.perf_counter() - t) / len(sample)
        print(
            f"[逐行对照] Python 循环生成事件：样本 {len(sample):,} 问题 → {len(naive_events):,} 事件，"
            f"{loop_per_problem * 1e6:.1f} µs/问题"
        )

        # 对照 2：逐行 insert（样本实测，按总行数外推）
        per_row = naive_insert_rate(work / "demo_20000.duckdb", work)
        print(f"[逐行对照] 逐行 insert：样本 {NAIVE_SAMPLE_INSERTS:,} 行，{per_row * 1e6:.0f} µs/行")

        for n, (_counts, wall, events_s, rows) in results.items():
            loop_est = loop_per_problem * n
            insert_est = per_row * rows
            print(
                f"[比较] 问题 {n:>9,}：事件生成 向量化 {events_s:.2f} s vs 循环外推 {loop_est:.1f} s"
                f"（{loop_est / events_s:.1f} 倍）；整库 向量化 {wall:.1f} s vs 逐行插入外推 {insert_est:,.0f} s"
                f"（仅插入，{insert_est / wall:.0f} 倍）"
            )


if __name__ == "__main__":
    main()
