"""问题热点地图基准：同一次运行里对比朴素做法（每条问题一个 folium.Marker 放进 MarkerCluster）。

    python benchmarks/bench_hotspots.py                 # 1 万条对比 + 100 万条页面时间与地图数据量
    python benchmarks/bench_hotspots.py --skip-million  # 只跑 1 万条对比
    python benchmarks/bench_hotspots.py --db-million /tmp/hs_1m.duckdb   # 复用已生成的 100 万条示例库

目标（issue「问题热点页」）：1 万条时构建快 ≥ 20 倍、HTML 小 ≥ 10 倍；100 万条时页面热运行（缓存命中）
脚本时间 ≤ 1 秒、发给浏览器的地图数据 ≤ 2 MB。统计区间取示例库的全部三年，使所有问题都参与。
放大（issue「筛选要快」第 4 部分）：每放大一级按看到的范围重查网格，单次 ≤ 1 秒、发给浏览器的格子数据 ≤ 2 MB。
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chuangwen import db, demo, hotspots, maps, queries  # noqa: E402
from tests import apptest  # noqa: E402

ALL_TIME = datetime(1900, 1, 1)


def _params(con, county: str, as_of: datetime) -> tuple[dict, object]:
    boundaries = queries.run(con, "hotspot_boundaries", {"county": county, "as_of": as_of})
    shared = {
        "as_of": as_of,
        "period_start": ALL_TIME,
        "township": None,
        "unit": None,
        "round": None,
        "scope_unit": None,
        "rebound_days": 30,
    }
    page = hotspots.page_params(hotspots.PageFilters(), {}, county_ring=hotspots.ring_of(boundaries))
    return shared | page, boundaries


def ours(path: Path) -> tuple[float, int, int]:
    """本页做法，冷启动（新连接、无缓存）：库内汇总 + 构建地图 + 渲染 HTML。返回秒、HTML 字节、画出的对象数。"""
    t0 = time.perf_counter()
    con = db.open_readonly(path)
    meta = db.read_meta(con)
    as_of = datetime.fromisoformat(meta.get("data_cutoff") or meta["data_cutoff_derived"])
    county = meta["our_region_code"]
    params, boundaries = _params(con, county, as_of)
    summary = queries.run(con, "hotspot_summary", params).iloc[0]
    townships = queries.run(con, "hotspot_townships", params | {"county": county})
    view = hotspots.boundary_bounds(boundaries, None)
    spec = hotspots.grid_for_view(view, 1100, 560)
    grid = queries.run(con, "hotspot_grid", params | spec.params())
    located = int(summary["located"])
    points = (
        queries.run(con, "hotspot_points", params | {"limit": hotspots.MARKER_LIMIT})
        if located <= hotspots.MARKER_LIMIT
        else None
    )
    m = maps.hotspot_map(boundaries, townships, grid, points, view=view, zoom=spec.zoom)
    html = m.get_root().render()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, len(html.encode()), len(grid) if points is None else len(points)


def naive(path: Path) -> tuple[float, int, int]:
    """朴素做法：取出每条可上图的问题，每条一个带弹窗的 Marker 放进 MarkerCluster，再渲染 HTML。"""
    t0 = time.perf_counter()
    con = db.open_readonly(path)
    meta = db.read_meta(con)
    as_of = datetime.fromisoformat(meta.get("data_cutoff") or meta["data_cutoff_derived"])
    params, _ = _params(con, meta["our_region_code"], as_of)
    points = queries.run(con, "hotspot_points", params | {"limit": 10**9})
    m = maps.naive_marker_map(points)
    html = m.get_root().render()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, len(html.encode()), len(points)


def page_warm(path: Path, runs: int = 3) -> tuple[float, float, int]:
    """问题热点页（AppTest，全部三年的问题）：冷运行秒数、热运行（缓存命中）中位秒数、地图组件数据字节。"""
    os.environ["CHUANGWEN_DB"] = str(path)
    from streamlit.testing.v1 import AppTest

    con = db.open_readonly(path)
    meta = db.read_meta(con)
    con.close()
    cutoff = datetime.fromisoformat(meta.get("data_cutoff") or meta["data_cutoff_derived"])
    start = demo.problem_window_start(cutoff)
    apptest.sign_in_everywhere(Path(os.environ["CHUANGWEN_DB"]))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    at.query_params["from"] = start.date().isoformat()
    at.query_params["to"] = cutoff.date().isoformat()
    at.run()
    t0 = time.perf_counter()
    apptest.switch_page(at, "app_pages/hotspots.py").run()
    cold = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError([e.message for e in at.exception])
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    payload = sum(len(c.proto.json_args.encode()) for c in at.get("component_instance"))
    shown = {m.label: m.value for m in at.metric}
    print(f"    页面显示：符合条件的问题 {shown.get('符合条件的问题')}，可上图 {shown.get('可上图')}")
    return cold, statistics.median(warm), payload


def zoomed(path: Path, steps: tuple[int, ...] = (2, 4, 6)) -> list[dict]:
    """放大：以打开时问题最多的格子为中心放大 steps 级，按看到的范围重查网格（新连接、不走缓存）。

    对照：同一范围里的问题逐条发给浏览器（热力点 [纬度, 经度, 1]）的数据量。返回每一级的一行。"""
    con = db.open_readonly(path)
    meta = db.read_meta(con)
    as_of = datetime.fromisoformat(meta.get("data_cutoff") or meta["data_cutoff_derived"])
    params, boundaries = _params(con, meta["our_region_code"], as_of)
    view = hotspots.boundary_bounds(boundaries, None)
    opened = hotspots.grid_for_view(view, 1100, 560)
    grid = queries.run(con, "hotspot_grid", params | opened.params())
    top = grid.sort_values("problems").iloc[-1]
    every = queries.run(con, "hotspot_points", params | {"limit": 10**9})[["lon", "lat"]]
    mid_lat = (view[1] + view[3]) / 2
    rows = []
    for step in steps:
        zoom = opened.zoom + step
        half_lon = 1100 / 2 * 360.0 / (256 * 2**zoom)
        half_lat = half_lon * math.cos(math.radians(mid_lat)) * 560 / 1100
        shown = hotspots.MapView(
            top["lon"] - half_lon, top["lat"] - half_lat, top["lon"] + half_lon, top["lat"] + half_lat, zoom
        )
        finer = hotspots.finer_grid(opened, shown, view)
        t0 = time.perf_counter()
        cells = queries.run(con, "hotspot_grid", params | finer.params())
        elapsed = time.perf_counter() - t0
        js = maps.grid_layers_js(cells, finer.zoom)
        west, south, east, north = finer.extent
        inside = every[(every.lon >= west) & (every.lon < east) & (every.lat >= south) & (every.lat < north)]
        one_by_one = json.dumps([[round(a, 6), round(b, 6), 1] for a, b in zip(inside.lat, inside.lon)])
        rows.append(
            {
                "zoom": zoom,
                "cell_m": hotspots.cell_size_m(finer),
                "cells": len(cells),
                "seconds": elapsed,
                "bytes": len(js.encode()),
                "problems": int(cells["problems"].sum()),
                "naive_bytes": len(one_by_one.encode()),
            }
        )
    con.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description="问题热点地图基准")
    ap.add_argument("--skip-million", action="store_true", help="不跑 100 万条")
    ap.add_argument("--db-million", type=Path, help="复用已生成的 100 万条示例库")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-hotspots-") as tmp:
        small = Path(tmp) / "p10k.duckdb"
        demo.build(small, problems=10_000)
        print("== 1 万条问题（全部三年）==")
        t_ours = min(ours(small)[0] for _ in range(3))
        _, size_ours, n_ours = ours(small)
        t_naive, size_naive, n_naive = naive(small)
        speed, shrink = t_naive / t_ours, size_naive / size_ours
        print(f"  朴素（{n_naive:,} 个 Marker + MarkerCluster）：构建 {t_naive:.2f} s，HTML {size_naive / 1e6:.2f} MB")
        print(f"  本页（库内网格 {n_ours:,} 格 + 热力 + 镇街）：构建 {t_ours:.3f} s，HTML {size_ours / 1e6:.3f} MB")
        print(f"  快 {speed:.1f} 倍（目标 ≥ 20），小 {shrink:.1f} 倍（目标 ≥ 10）")
        ok &= speed >= 20 and shrink >= 10

        if not args.skip_million:
            big = args.db_million
            if big is None:
                big = Path(tmp) / "p1m.duckdb"
                t0 = time.perf_counter()
                demo.build(big, problems=1_000_000)
                print(f"\n（生成 100 万条示例库用时 {time.perf_counter() - t0:.0f} s）")
            print("== 100 万条问题：问题热点页（AppTest，统计区间为全部三年）==")
            cold, warm, payload = page_warm(big)
            print(
                f"  冷运行 {cold:.1f} s（查询首次执行）；热运行中位 {warm:.3f} s（目标 ≤ 1 s）；"
                f"地图数据 {payload / 1e6:.3f} MB（目标 ≤ 2 MB）"
            )
            ok &= warm <= 1.0 and payload <= 2e6
            print("== 100 万条问题：放大后按看到的范围重新分格（新连接，不走缓存；对照：范围内问题逐条发送）==")
            for r in zoomed(big):
                print(
                    f"  第 {r['zoom']} 级（约 {r['cell_m']:,} 米一格）：{r['cells']:,} 格、{r['problems']:,} 条问题，"
                    f"查询 {r['seconds']:.2f} s；发给浏览器 {r['bytes'] / 1e3:.0f} KB，"
                    f"逐条发送 {r['naive_bytes'] / 1e3:.0f} KB（小 {r['naive_bytes'] / max(r['bytes'], 1):.1f} 倍）"
                )
                ok &= r["bytes"] <= 2e6 and r["seconds"] <= 1.0
    print("\n结论：" + ("全部达标" if ok else "有未达标项"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
