"""导入基准：10 万行 .xlsx 问题台账的校验 + 写入（整批、一个事务），对照朴素做法（openpyxl 逐行读 + 逐行 insert）。

只打印数字，不做断言。每一步在单独的子进程里跑，峰值内存取子进程的 ru_maxrss。
用法：python benchmarks/bench_import.py [--rows 100000] [--naive-rows 5000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chuangwen import db  # noqa: E402
from chuangwen.imports import run_import  # noqa: E402
from chuangwen.imports.kinds import KINDS  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "imports"
TOWNS = ["城关街道", "东坝镇"]
UNITS = ["城管局", "交警大队", "县委宣传部（文明办）", "城关街道", "东坝镇"]
CATS = ["出店经营", "暴露垃圾", "市容秩序", "环境卫生"]
STATUSES = ["已交办", "整改中", "已销号", "申请销号", "待交办"]


def make_ledger(path: Path, n: int) -> None:
    import xlsxwriter

    rng = random.Random(6)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("问题台账")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    cols = KINDS["problems"].names
    for c, name in enumerate(cols):
        ws.write_string(0, c, name)
    t0 = datetime(2024, 1, 1, 8)
    for i in range(n):
        found = t0 + timedelta(minutes=rng.randrange(0, 900 * 24 * 60))
        status = rng.choice(STATUSES)
        values = {
            "问题编号": f"B{i:07d}",
            "发现时间": found,
            "来源": "县自查",
            "问题类别": rng.choice(CATS),
            "镇街": rng.choice(TOWNS),
            "经度": round(117.01 + rng.random() * 0.18, 6),
            "纬度": round(31.01 + rng.random() * 0.08, 6),
            "坐标系": "WGS84",
            "问题描述": "占道经营、乱堆乱放",
            "严重程度": "一般",
            "牵头单位": rng.choice(UNITS),
            "配合单位": rng.choice(["", "交警大队", "城管局、东坝镇"]),
            "整改期限": (found + timedelta(days=7)).strftime("%Y-%m-%d"),
            "整改状态": status,
            "销号时间": found + timedelta(days=rng.randrange(1, 12)) if status == "已销号" else None,
        }
        for c, name in enumerate(cols):
            v = values.get(name)
            if isinstance(v, datetime):
                ws.write_datetime(i + 1, c, v, fmt)
            elif isinstance(v, float):
                ws.write_number(i + 1, c, v)
            elif v:
                ws.write_string(i + 1, c, v)
    wb.close()


def fresh_db(path: Path) -> Path:
    db.create_database(path)
    with db.writer(path) as con:
        for script in sorted(DATA.glob("*.sql")):
            con.execute(script.read_text(encoding="utf-8"))
    return path


def _fast(xlsx: str, dbp: str, q) -> None:
    t = time.perf_counter()
    try:
        result = run_import(dbp, Path(xlsx).read_bytes(), Path(xlsx).name, "problems")
    except Exception as exc:  # 让父进程看到原因，而不是一直等
        q.put((float("nan"), 0.0, f"失败：{exc}"))
        raise
    q.put((time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, result.inserted))


def _naive(xlsx: str, dbp: str, limit: int, q) -> None:
    """朴素做法：openpyxl 逐行读、逐行 strptime 校验、逐行 insert（每行一条 SQL）。"""
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = next(it)
    read_rows = []
    for k, r in enumerate(it):
        if k >= limit:
            break
        read_rows.append(dict(zip(header, r)))
    t_read = time.perf_counter() - t
    with db.writer(dbp) as con:
        units = dict(con.execute("select name, code from unit").fetchall())
        towns = dict(con.execute("select name, code from region where level = '镇街'").fetchall())
        for r in read_rows:
            deadline = datetime.strptime(r["整改期限"], "%Y-%m-%d")
            con.execute(
                "insert into problem (code, found_at, source, category, township_code, lon, lat, description, severity,"
                " lead_unit_code, deadline) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    r["问题编号"],
                    r["发现时间"],
                    r["来源"],
                    r["问题类别"],
                    towns[r["镇街"]],
                    r["经度"],
                    r["纬度"],
                    r["问题描述"],
                    r["严重程度"],
                    units[r["牵头单位"]],
                    deadline,
                ],
            )
    q.put((time.perf_counter() - t, t_read, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def run(target, *args):
    q = mp.get_context("spawn").Queue()
    p = mp.get_context("spawn").Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--naive-rows", type=int, default=5_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        xlsx = tmp / "台账.xlsx"
        t = time.perf_counter()
        make_ledger(xlsx, args.rows)
        print(
            f"生成 {args.rows:,} 行 xlsx：{time.perf_counter() - t:.1f} 秒，{xlsx.stat().st_size / 1e6:.1f} MB",
            flush=True,
        )
        fast_s, fast_mb, inserted = run(_fast, str(xlsx), str(fresh_db(tmp / "fast.duckdb")))
        print(
            f"本实现（calamine 读 + 向量化校验 + 整批写入）：{fast_s:.2f} 秒，峰值内存 {fast_mb:,.0f} MB；写入 {inserted}",
            flush=True,
        )
        naive_s, naive_read, naive_mb = run(_naive, str(xlsx), str(fresh_db(tmp / "naive.duckdb")), args.naive_rows)
        per_row = naive_s / args.naive_rows
        print(
            f"朴素做法（openpyxl 逐行读 + 逐行 insert，只做 {args.naive_rows:,} 行、只写问题表）：{naive_s:.2f} 秒"
            f"（其中读 {naive_read:.2f} 秒），峰值内存 {naive_mb:,.0f} MB"
        )
        est = per_row * args.rows
        print(
            f"朴素做法按每行 {per_row * 1000:.2f} 毫秒推算 {args.rows:,} 行：约 {est:.0f} 秒；本实现快约 {est / fast_s:.0f} 倍",
            flush=True,
        )
        print(
            f"目标：≤ 20 秒、峰值 ≤ 1,536 MB → {'达到' if fast_s <= 20 and fast_mb <= 1536 else '未达到'}", flush=True
        )


if __name__ == "__main__":
    main()
