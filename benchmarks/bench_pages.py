"""各页耗时：派生的状态时段（problem_state_at）对按事件日志聚合的参照（problem_state_as_of，也就是改之前的做法）。

同一次运行、同一个库、同一进程里（AppTest），每页量三个数：
  - 冷运行：清空全部缓存后新会话第一次打开这一页（画框 + 页面）；
  - 换区间重跑（缓存未命中）：清空查询缓存，侧栏换一个统计区间再跑（分析员改筛选时等的就是这个）；
  - 热重跑：同一筛选再跑一次（缓存命中）。
参照路径（chuangwen.reference.reference_sql）：状态换回按事件日志聚合的 problem_state_as_of、记录顺序标记按规则现算、
按时间排序的事件副本换回事件表连接问题表，问题热点的几个查询各自筛选（不共用筛过的问题，也就是改之前每个查询的做法）；
整改督办的在办问题走势与台账的分页仍是新的（走势以前自己从事件日志算时段）。
先核对两条路径在各页用到的全部查询上结果相同，再计时。每条路径在一个新进程里量（冷运行是真的冷），
另打印：发布（重建派生表）耗时、每条路径的看板进程峰值 RSS。

用法：python benchmarks/bench_pages.py [--sizes 20000 1000000] [--dir /tmp/chuangwen-bench] [--pages 总览 红黑榜 …]
      10^7 条问题的库由 bench_league.py 用 SQL 生成（--league-db 指向它，只量红黑榜、问题热点与整改督办）。
只打印数字，不做断言；核对不一致时打印差异并以非 0 退出。
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from chuangwen import db, demo, derived, queries, store  # noqa: E402
from chuangwen.ui import data as ui_data  # noqa: E402
from tests import apptest, reference  # noqa: E402

PAGES = {
    "总览": "app_pages/overview.py",
    "问题热点": "app_pages/hotspots.py",
    "红黑榜": "app_pages/league.py",
    "整改督办": "app_pages/supervision.py",
    "通报导出": "app_pages/briefing.py",
}
_original_parse = queries._parse
_original_sources = ui_data._Sources


class _NotShared:
    """参照路径：被读的中间结果不在查询间共用，每个查询各自算一遍（改之前的做法）。"""

    def __init__(self, *args):
        pass

    def get(self, key, make):
        return make()


def use_reference(on: bool) -> None:
    """让查询登记处给出参照路径的 SQL（on）或正常的（off）。"""

    def parse(path):
        q = _original_parse(path)
        return dataclasses.replace(q, sql=reference.reference_sql(q.sql))

    queries._parse = parse if on else _original_parse
    queries.load.cache_clear()
    ui_data._Sources = _NotShared if on else _original_sources


def ensure_db(directory: Path, problems: int) -> Path:
    path = directory / f"pages-{problems}.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        demo.build(path, problems=problems)
        print(f"  生成示例库 {problems:,} 条问题：{time.perf_counter() - t0:.1f} s")
    return path


def upgraded(path: Path) -> Path:
    """旧结构的库先升级（发布一个新快照，派生表随之重建）；返回当前快照的文件（核对与量发布耗时直接读它）。"""
    t0 = time.perf_counter()
    if db.upgrade(path):
        print(f"  升级库结构并重建派生表：{time.perf_counter() - t0:.1f} s")
    return store.current(path).file


def publish_seconds(path: Path) -> float:
    """重建派生表的耗时（每次发布都做一次），在库的副本上量。"""
    copy = path.with_name(path.stem + ".publish.duckdb")
    copy.unlink(missing_ok=True)
    os.system(f"cp '{path}' '{copy}'")
    con = duckdb.connect(str(copy))
    try:
        t0 = time.perf_counter()
        con.execute("begin transaction")
        derived.rebuild(con)
        con.execute("commit")
        return time.perf_counter() - t0
    finally:
        con.close()
        copy.unlink(missing_ok=True)


def clear_caches() -> None:
    import streamlit as st

    from chuangwen.ui import data

    data._result.clear()  # 查询结果、中间结果、构建结果；连接（_connection）留着
    data._source.clear()
    data._memoized.clear()
    st.cache_data.clear()


def time_page(page: str) -> tuple[float, float, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=1800)
    apptest.sign_in_everywhere(Path(os.environ["CHUANGWEN_DB"]))
    t0 = time.perf_counter()
    at.run()
    apptest.switch_page(at, PAGES[page]).run()
    cold = time.perf_counter() - t0
    assert not at.exception, [e.message for e in at.exception]
    start, end = at.date_input(key="flt_range").value
    clear_caches()
    t0 = time.perf_counter()
    at.date_input(key="flt_range").set_value((start - timedelta(days=14), end - timedelta(days=3))).run()
    miss = time.perf_counter() - t0
    assert not at.exception, [e.message for e in at.exception]
    t0 = time.perf_counter()
    at.run()
    warm = time.perf_counter() - t0
    return cold, miss, warm


def check_same(path: Path) -> list[str]:
    """两条路径在每个用到状态的查询上结果相同（默认口径与往前 20 天的口径各一次）。"""
    from chuangwen.view import View

    con = duckdb.connect(str(path), read_only=True)
    bad = []
    try:
        base = View.of_store(con)
        extras = {
            "min_sample": 5,
            "prior": 0.0,
            "red_max_overdue_rate": 1.0,
            "w_on_time": 40.0,
            "w_overdue": 30.0,
            "w_rebound": 15.0,
            "w_reject": 15.0,
            "w_points": 2.0,
            "unit_code": con.execute("select min(code) from unit").fetchone()[0],
            "weeks": 8,
            "points": 8,
            "step": timedelta(days=7),
            "involved_unit": None,
            "status": None,
            "overdue_only": False,
            "due_this_week_only": False,
            "site": None,
            "sources": None,
            "categories": None,
            "site_types": None,
            "severities": None,
            "statuses": None,
            "county_ring": None,
            "limit": 5000,
            "top": 10,
            "origin_lon": 100.0,
            "origin_lat": 20.0,
            "cell_lon": 0.01,
            "cell_lat": 0.01,
            "west": None,
            "south": None,
            "east": None,
            "north": None,
        }
        for q in queries.all_queries():
            if not reference.uses_derived(q.sql):
                continue
            for view in (base, base.at(base.as_of - timedelta(days=20))):
                p = queries.bind(q, {**view.params(), **extras})
                a = con.execute(q.sql, p).df()
                b = con.execute(reference.reference_sql(q.sql), p).df()
                if not q.sql.rstrip().lower().rpartition("\n")[2].startswith(("order by", "limit")):
                    # 不排序的中间结果（hotspot_problems）：按编号排好再比
                    a, b = (f.sort_values(list(f.columns[:1]), ignore_index=True) for f in (a, b))
                try:
                    pd.testing.assert_frame_equal(a, b, check_dtype=False)
                except AssertionError as exc:
                    bad.append(f"{q.name}（统计时刻 {view.as_of:%Y-%m-%d}）：{str(exc).splitlines()[0]}")
    finally:
        con.close()
    return bad


def time_path(path: Path, kind: str, pages: list[str]) -> tuple[dict[str, tuple[float, float, float]], float]:
    """在一个新进程里量一条路径（derived / reference）的各页：每条路径的冷运行都是真的冷，峰值 RSS 也只算看板这一条路径。"""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--db", str(path), "--pages", *pages],
        capture_output=True,
        text=True,
        env={**os.environ, "CHUANGWEN_DB": str(path)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} 路径计时失败：\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {page: tuple(v) for page, v in out["times"].items()}, out["rss_mb"]


def peak_rss_mb() -> float:
    """本进程自己的峰值常驻内存（/proc/self/status 的 VmHWM）。不用 ru_maxrss：Linux 上 fork + exec 之后它带着父进程的峰值
    （核对两条路径时父进程用过的内存会算到子进程头上）。"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, pages: list[str]) -> None:
    use_reference(kind == "reference")
    times = {page: time_page(page) for page in pages}
    print(json.dumps({"times": times, "rss_mb": peak_rss_mb()}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[20_000, 1_000_000])
    ap.add_argument("--dir", type=Path, default=Path("/tmp/chuangwen-bench"))
    ap.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    ap.add_argument("--league-db", type=Path, help="bench_league.py 生成的 10^7 库（可选）")
    ap.add_argument("--child", choices=["derived", "reference"], help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.pages)
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    paths = [(n, ensure_db(args.dir, n)) for n in args.sizes]
    if args.league_db:
        con = duckdb.connect(str(args.league_db), read_only=True)
        paths.append((con.execute("select count(*) from problem").fetchone()[0], args.league_db))
        con.close()
    failed = False
    rows, rss = [], []
    for n, path in paths:
        print(f"== {n:,} 条问题：{path}")
        file = upgraded(path)
        bad = check_same(file)
        failed = failed or bool(bad)
        print("  核对两条路径：" + ("各查询结果相同" if not bad else "不一致：" + "；".join(bad)))
        print(f"  发布（重建派生表）：{publish_seconds(file):.1f} s")
        ref, ref_rss = time_path(path, "reference", args.pages)
        new, new_rss = time_path(path, "derived", args.pages)
        rss.append((f"{n:,}", new_rss, ref_rss))
        for page in args.pages:
            (c, m, w), (rc, rm, rw) = new[page], ref[page]
            rows.append((f"{n:,}", page, c, m, w, rc, rm, rw, rm / m))
            print(
                f"  {page}：派生 冷 {c:.2f} s / 换区间 {m:.2f} s / 热 {w:.2f} s；"
                f"参照 冷 {rc:.2f} s / 换区间 {rm:.2f} s / 热 {rw:.2f} s；换区间快 {rm / m:.1f}×"
            )
        print(f"  看板进程峰值 RSS：派生 {new_rss:,.0f} MB，参照 {ref_rss:,.0f} MB")
    print()
    print(
        pd.DataFrame(
            rows, columns=["问题数", "页", "冷s", "换区间s", "热s", "参照冷s", "参照换区间s", "参照热s", "换区间倍数"]
        ).to_string(index=False, float_format=lambda v: f"{v:.2f}")
    )
    print(
        pd.DataFrame(rss, columns=["问题数", "派生路径峰值RSS_MB", "参照路径峰值RSS_MB"]).to_string(
            index=False, float_format=lambda v: f"{v:,.0f}"
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
