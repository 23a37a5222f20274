"""故障注入：导入、回滚、恢复进行到随机时刻时 SIGKILL，看库能不能打开、当前版本是不是完整的旧版或新版。

每一轮：记下当前版本号和问题数 → 在子进程里开始一次写入 → 随机等 0–2.5 秒后 SIGKILL → 检查
  1. 库能打开（store.current 不报错），库文件路径与 CURRENT 指向同一个快照；
  2. 当前问题数等于写入前或写入后应有的数（0 条“半截”行）；
  3. 写入前已发布的各版本都还在、内容不变（0 个丢失的版本；保留个数设得足够大）；
  4. 下一次写入照常成功，并清掉被杀进程留下的临时文件。
最后打印每一轮的结果和汇总。用法：python benchmarks/bench_faults.py [--rounds 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chuangwen import backup, store  # noqa: E402
from chuangwen.imports import run_import  # noqa: E402
from tests.unit._import_helpers import base_db, csv_bytes, q, row  # noqa: E402

ROWS = 4000


def problems(file: Path) -> int:
    return q(file, "select count(*) from problem")[0][0]


def digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def cli(*args) -> list[str]:
    return [sys.executable, "-m", "chuangwen.cli", *args]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="faults-"))
    os.environ["CHUANGWEN_KEEP_SNAPSHOTS"] = "1000"
    path = base_db(work)
    run_import(path, csv_bytes([row("BASE-1")]), "底.csv", "problems")
    saved = backup.backup(path, work / "备份")
    outcomes, clean = [], 0
    for k in range(1, args.rounds + 1):
        kind = ("import", "rollback", "restore")[k % 3]
        published = {s["版本"]: digest(Path(s["文件"])) for s in store.list_snapshots(path)}
        before = problems(path)
        ledger = work / f"台账{k}.csv"
        if kind == "import":
            ledger.write_bytes(csv_bytes([row(f"R{k}-{i:05d}") for i in range(ROWS)]))
            cmd, expect = cli("import", "problems", str(ledger), "--db", str(path)), {before, before + ROWS}
        elif kind == "rollback":
            res = run_import(
                path, csv_bytes([row(f"RB{k}-{i:05d}") for i in range(ROWS)]), f"待回滚{k}.csv", "problems"
            )
            published = {s["版本"]: digest(Path(s["文件"])) for s in store.list_snapshots(path)}
            before = problems(path)
            cmd, expect = cli("import", "rollback", str(res.import_id), "--db", str(path)), {before, before - ROWS}
        else:
            cmd, expect = cli("restore", "--db", str(path), "--from", str(saved)), {before, 1}
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        delay = rng.uniform(0, 2.5)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        problems_now = opened = None
        try:
            snap = store.current(path)
            opened = os.path.samefile(path, snap.file)
            problems_now = problems(snap.file)
        except Exception as exc:  # 打不开就是失败
            outcomes.append((k, kind, delay, "打不开：" + str(exc)[:60]))
            continue
        lost = [
            v
            for v, h in published.items()
            if not (store.snapshots_dir(path) / f"{v:06d}.duckdb").exists()
            or digest(store.snapshots_dir(path) / f"{v:06d}.duckdb") != h
        ]
        partial = problems_now not in expect
        run_import(path, csv_bytes([row(f"NEXT{k}")]), f"下一次{k}.csv", "problems")  # 下一次写入照常
        leftovers = [p.name for p in store.snapshots_dir(path).iterdir() if ".tmp-" in p.name]
        ok = opened and not partial and not lost and not leftovers
        clean += ok
        state = "写完了" if finished else "被杀"
        outcomes.append(
            (
                k,
                kind,
                delay,
                f"{state}；问题 {before:,} → {problems_now:,}；"
                f"{'完整' if not partial else '半截！'}；丢失版本 {len(lost)}；残留临时文件 {len(leftovers)}",
            )
        )
    print(f"{'轮':>3} {'操作':<8} {'延时':>6}  结果")
    for k, kind, delay, text in outcomes:
        print(f"{k:>3} {kind:<8} {delay:6.2f}s  {text}")
    killed = sum("被杀" in t for *_, t in outcomes)
    print(
        f"\n共 {args.rounds} 轮（其中 {killed} 轮在写入中途被杀）：干净恢复 {clean}/{args.rounds}，"
        f"半截 {sum('半截' in t for *_, t in outcomes)}，打不开 {sum('打不开' in t for *_, t in outcomes)}"
    )
    return 0 if clean == args.rounds else 1


if __name__ == "__main__":
    raise SystemExit(main())
