"""排名趋势页耗时：合成 120 个县级单位 × 40 轮年度测评（含分项与少量缺测）的库，
AppTest 计时（从 dashboard.py 进入本页，含框架与侧栏），冷启动、热重跑（普通与推进会模式）、每次清缓存重跑，
并与朴素做法（每次重跑把成绩读进 pandas、按轮 rank、再算变化/统计/差距，不缓存）在同一次运行中对比。

用法：python benchmarks/bench_rank_trend.py [--units 120] [--rounds 40] [--runs 7] [--dir /tmp/chuangwen-bench]
只打印数字，不做断言。目标：热重跑 ≤ 300 ms。
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from chuangwen import charts, db, rank_trend  # noqa: E402
from tests import apptest  # noqa: E402

OURS_INDEX = 57
BLOCKS = (("1", "思想道德建设", 30.0), ("2", "城市治理与公共服务", 30.0), ("3", "城市环境与公共秩序", 40.0))
ITEMS_PER_BLOCK = 4


def build_db(path: Path, units: int, rounds: int, seed: int = 2026) -> Path:
    """只建本页用到的表：meta、region、framework_edition/node、round、score、score_part。"""
    rng = np.random.default_rng(seed)
    path.unlink(missing_ok=True)
    db.create_database(path)
    codes = [f"99{i // 10 + 1:02d}{i % 10 + 1:02d}" for i in range(units)]
    region = pd.DataFrame(
        {
            "code": ["990000", *codes],
            "name": ["合成省", *[f"合成{i + 1:03d}县" for i in range(units)]],
            "level": ["省", *["县级"] * units],
            "kind": ["省", *["县"] * units],
            "parent_code": [None, *["990000"] * units],
            "population": 300000,
            "lon": None,
            "lat": None,
            "sort_order": range(units + 1),
        }
    )
    nodes = []
    for code, name, points in BLOCKS:
        nodes.append(("B", code, None, "板块", name, points, None, None, None, None, int(code)))
        for j in range(ITEMS_PER_BLOCK):
            nodes.append(
                (
                    "B",
                    f"{code}.{j + 1}",
                    code,
                    "测评项目",
                    f"{name}项目{j + 1}",
                    points / ITEMS_PER_BLOCK,
                    None,
                    None,
                    None,
                    None,
                    j + 1,
                )
            )
    years = list(range(2026 - rounds + 1, 2027))
    round_df = pd.DataFrame(
        {
            "code": [f"R{y}-ND" for y in years],
            "name": [f"{y}年度测评" for y in years],
            "round_type": "年度测评",
            "level": "省",
            "start_date": [date(y, 10, 14) for y in years],
            "end_date": [date(y, 10, 20) for y in years],
            "cycle": "合成",
            "year": years,
            "edition": "B",
            "is_ranked": True,
        }
    )
    # 每个单位有自己的水平和趋势，逐轮加噪声；约 1% 缺测
    level = rng.normal(82, 4, units)
    trend = rng.normal(0.15, 0.2, units)
    score_rows, part_rows = [], []
    for r, rc in enumerate(round_df["code"]):
        totals = np.round(level + trend * r + rng.normal(0, 1.2, units), 2)
        missing = rng.random(units) < 0.01
        missing[OURS_INDEX] = False
        for u in range(units):
            if missing[u]:
                score_rows.append((rc, codes[u], None, "缺测"))
                continue
            score_rows.append((rc, codes[u], float(totals[u]), None))
            shares = rng.dirichlet([30, 30, 40])
            for (bcode, _, _), share in zip(BLOCKS, shares):
                block_score = round(float(totals[u]) * share, 2)
                part_rows.append((rc, codes[u], "B", bcode, block_score))
                item_shares = rng.dirichlet([5] * ITEMS_PER_BLOCK)
                for j, s in enumerate(item_shares):
                    part_rows.append((rc, codes[u], "B", f"{bcode}.{j + 1}", round(block_score * s, 2)))
    meta = pd.DataFrame(
        {
            "key": [
                "is_demo",
                "data_cutoff",
                "our_region_code",
                "county_name",
                "province_name",
                "target_rank",
                "rival_region_codes",
            ],
            "value": [
                "0",
                "2026-11-15 18:00:00",
                codes[OURS_INDEX],
                f"合成{OURS_INDEX + 1:03d}县",
                "合成省",
                "10",
                ",".join(codes[OURS_INDEX - 3 : OURS_INDEX]),
            ],
        }
    )
    frames = {
        "meta": meta,
        "region_province": region.iloc[:1],
        "region": region.iloc[1:],
        "framework_edition": pd.DataFrame(
            [("B", "合成测评体系", "全国", date(1980, 1, 1), 100.0)],
            columns=["edition", "name", "scope", "effective_from", "total_points"],
        ),
        "framework_node": pd.DataFrame(nodes),
        "round": round_df,
        "score": pd.DataFrame(score_rows, columns=["round_code", "region_code", "total", "note"]),
        "score_part": pd.DataFrame(part_rows, columns=["round_code", "region_code", "edition", "node_code", "score"]),
    }
    with db.writer(path) as con:
        for table, frame in frames.items():
            con.register("frame", frame)
            # 表名来自上面的固定字典；省要先于县写入（外键）
            con.execute(f"insert into {table.removesuffix('_province')} select * from frame")
            con.unregister("frame")
    return path


def time_page(path: Path, runs: int) -> dict[str, float | list[float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["CHUANGWEN_DB"] = str(path)
    os.environ.pop("CHUANGWEN_TARGET_RANK", None)
    st.cache_data.clear()
    st.cache_resource.clear()
    apptest.sign_in_everywhere(Path(os.environ["CHUANGWEN_DB"]))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    apptest.switch_page(at, "app_pages/rank_trend.py")
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    assert not at.exception, at.exception
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    uncached = []
    for _ in range(max(3, runs // 2)):
        st.cache_data.clear()  # 连接保留，每次重跑都重新执行全部查询
        t0 = time.perf_counter()
        at.run()
        uncached.append(time.perf_counter() - t0)
    at.toggle(key="rk_projector").set_value(True).run()
    projector = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        projector.append(time.perf_counter() - t0)
    assert not at.exception, at.exception
    return {"cold": cold, "warm": warm, "uncached": uncached, "projector": projector}


def naive_rerun(path: Path, county: str, target: int) -> float:
    """朴素基线：每次重跑把成绩与分项读进 pandas，按轮算竞争排名、变化、统计、差距，再画同样的图；不缓存。"""
    t0 = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True)
    score = con.execute(
        "select s.round_code, s.region_code, g.name as region_name, s.total, r.name as round_name, "
        "r.end_date from score s join round r on r.code = s.round_code "
        "join region g on g.code = s.region_code where r.is_ranked and r.round_type = '年度测评'"
    ).df()
    parts = con.execute(
        "select sp.*, n.name, n.level from score_part sp join framework_node n "
        "on n.edition = sp.edition and n.code = sp.node_code"
    ).df()
    con.close()
    order = {c: i + 1 for i, c in enumerate(score.sort_values("end_date")["round_code"].unique())}
    score["round_seq"] = score["round_code"].map(order)
    score["round_label"] = score["round_name"]
    scored = score[score["total"].notna()].copy()
    scored["total"] = scored["total"].round(2)
    scored["rank"] = scored.groupby("round_code")["total"].rank(method="min", ascending=False)
    scored["group_size"] = scored.groupby("round_code")["total"].transform("size")
    scored = scored.sort_values(["region_code", "round_seq"])
    g = scored.groupby("region_code")
    scored["prev_rank"] = g["rank"].shift()
    scored["prev_round_name"] = g["round_name"].shift()
    scored["rank_change"] = scored["prev_rank"] - scored["rank"]
    scored["score_status"] = "正常"
    missing = score[score["total"].isna()].assign(score_status="缺测")
    history = pd.concat([scored, missing]).sort_values(["round_seq", "rank"])
    stats = (
        scored.groupby(["round_seq", "round_code", "round_name", "round_label"])
        .agg(best_total=("total", "max"), median_total=("total", "median"), group_size=("total", "size"))
        .reset_index()
    )
    stats["target_total"] = stats["round_code"].map(
        scored.groupby("round_code")["total"].apply(lambda s: s.nlargest(target).iloc[-1])
    )
    ours = scored[scored["region_code"] == county].set_index("round_code")
    stats["our_total"] = stats["round_code"].map(ours["total"])
    stats["our_rank"] = stats["round_code"].map(ours["rank"])
    stats["our_status"] = np.where(stats["our_total"].notna(), "正常", "缺测")
    last = scored[scored["round_seq"] == scored["round_seq"].max()]
    others = last[last["region_code"] != county].sort_values("total", ascending=False)["total"].to_numpy()
    our_total = float(last.loc[last["region_code"] == county, "total"].iloc[0])
    _ = [max(0.0, float(v) - our_total) for v in others]
    lp = parts[parts["round_code"] == last["round_code"].iloc[0]]
    _ = lp.groupby(["level", "node_code"])["score"].agg(["max", "mean", "count"])
    shown = rank_trend.shown_units(history, county, 5, [])
    charts.rank_bump(history, county, shown, target)
    charts.score_trend(stats, "本县", target)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description="排名趋势页耗时基准")
    ap.add_argument("--units", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/chuangwen-bench"))
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"rank-{args.units}x{args.rounds}.duckdb"
    t0 = time.perf_counter()
    build_db(path, args.units, args.rounds)
    con = duckdb.connect(str(path), read_only=True)
    n_scores, n_parts = con.execute("select (select count(*) from score), (select count(*) from score_part)").fetchone()
    county = con.execute("select value from meta where key = 'our_region_code'").fetchone()[0]
    con.close()
    print(
        f"== 合成库 {args.units} 个单位 × {args.rounds} 轮：成绩 {n_scores:,} 行、分项 {n_parts:,} 行，"
        f"生成 {time.perf_counter() - t0:.1f} s"
    )

    t = time_page(path, args.runs)
    naive = [naive_rerun(path, county, 10) for _ in range(3)]
    warm, proj, unc = statistics.median(t["warm"]), statistics.median(t["projector"]), statistics.median(t["uncached"])
    naive_med = statistics.median(naive)
    print(f"  冷启动（本页首次，含打开库与全部查询）：{t['cold'] * 1000:,.0f} ms")
    print(
        f"  热重跑 中位数 / 最大：{warm * 1000:,.0f} / {max(t['warm']) * 1000:,.0f} ms（目标 ≤ 300 ms；含 dashboard.py 框架与侧栏）"
    )
    print(f"  推进会模式热重跑 中位数 / 最大：{proj * 1000:,.0f} / {max(t['projector']) * 1000:,.0f} ms")
    print(f"  清查询缓存后重跑（每次都执行全部 DuckDB 查询）中位数：{unc * 1000:,.0f} ms")
    print(
        f"  朴素基线（每次重跑 pandas 读表、按轮排名与统计、画两张图，不含页面框架）中位数：{naive_med * 1000:,.0f} ms"
    )
    print(f"  比值：朴素基线 / 热重跑 = {naive_med / warm:.1f}×；清缓存重跑 / 热重跑 = {unc / warm:.1f}×")


if __name__ == "__main__":
    main()
