"""恶意导入文件基准：每个文件用命令行 `chuangwen import problems 文件 --db 库` 导入一次，记录用时与峰值内存；
再在正常的 10 万行台账上比较读之前的检查、子进程解析与在本进程里解析的用时。
最后导入恶意的镇街边界文件（2,000,000 个面的 Shapefile 炸弹等），在本进程里调用 run_boundaries，记录本进程的
常驻内存涨了多少（VmHWM 减去导入前的 VmRSS；导入前先清零 VmHWM）：解析在子进程里，本进程不得涨过 300 MB。

只打印数字，不做断言。要达到的标准（打印为“达标/未达标”）：每个恶意文件在 10 秒内得到中文错误、退出码 1，
命令行进程与它的解析子进程的峰值内存都不超过 1.5 GB。
峰值内存取 wait4 的 ru_maxrss：本进程设为 child subreaper，命令行退出后留下的 forkserver（它回收解析子进程）
也归本进程回收，所以解析子进程的峰值也算在内。
用法：python benchmarks/bench_hostile_files.py [--rows 100000] [--dir 目录] [--boundaries-only]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_hostile_files  # noqa: E402

from chuangwen.imports import readers  # noqa: E402
from chuangwen.imports.kinds import KINDS  # noqa: E402
from tests.unit._import_helpers import base_db  # noqa: E402

TIME_BAR = 10.0
MEMORY_BAR_MB = 1536
BOUNDARY_PARENT_BAR_MB = 300
PR_SET_CHILD_SUBREAPER = 36


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("chuangwen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chuangwen.cli"]


def _reap_orphans(deadline: float) -> int:
    """回收命令行留下的 forkserver 与 resource_tracker，返回它们（含它们回收的子进程）中最大的 ru_maxrss（KB）。"""
    peak = 0
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return peak
        if pid == 0:
            time.sleep(0.02)
            continue
        peak = max(peak, usage.ru_maxrss)
    return peak


def run_cli(path: Path, db: Path) -> tuple[float, int, str, int, int]:
    """返回（用时秒，退出码，stderr，命令行进程峰值 KB，整棵进程树峰值 KB）。"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHUANGWEN_IMPORT_")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*_cli(), "import", "problems", str(path), "--db", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    tree = max(usage.ru_maxrss, _reap_orphans(time.monotonic() + 30))
    return elapsed, proc.returncode, err, usage.ru_maxrss, tree


def bench_hostile(folder: Path, db: Path) -> None:
    print(f"{'文件':<28}{'大小':>12}{'用时':>8}{'命令行峰值':>10}{'含子进程':>10}  结果")
    files = make_hostile_files.make_all(folder)
    for name, path in files.items():
        elapsed, rc, err, parent_kb, tree_kb = run_cli(path, db)
        first = err.strip().splitlines()[0] if err.strip() else "（无输出）"
        chinese = rc == 1 and first.startswith("chuangwen import：错误：") and re.search(r"[\u4e00-\u9fff]", first)
        ok = chinese and elapsed <= TIME_BAR and tree_kb / 1024 <= MEMORY_BAR_MB
        print(
            f"{name:<28}{path.stat().st_size:>12,}{elapsed:>7.2f}s{parent_kb / 1024:>8.0f}MB{tree_kb / 1024:>8.0f}MB  "
            f"{'达标' if ok else '未达标'}  退出码 {rc}"
        )
        print(f"    {first.removeprefix('chuangwen import：错误：')[:110]}")


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_overhead(rows: int, folder: Path) -> None:
    from bench_import import make_ledger

    path = folder / f"ledger_{rows}.xlsx"
    if not path.exists():
        make_ledger(path, rows)
    raw = path.read_bytes()
    names = KINDS["problems"].names
    job = readers._Job(path.name, ".xlsx", tuple(names), None, None, readers.Limits.from_settings())
    readers.read_table(raw, path.name, names)  # 先启动 forkserver，不计入

    scan = best_of(3, lambda: readers.check_workbook_zip(raw, path.name))
    parse_here = best_of(3, lambda: readers._parse(raw, job))
    parse_child = best_of(3, lambda: readers._parse_in_child(raw, job))
    total = best_of(3, lambda: readers.read_table(raw, path.name, names))
    unzipped = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    print(f"\n正常台账 {rows:,} 行（{len(raw) / 2**20:.1f} MB，解压后 {unzipped / 2**20:.0f} MB），各取 3 次中最快：")
    print(
        f"  读之前的检查（本进程）      {scan:6.2f} 秒  = 解析的 {scan / parse_here:.0%}，"
        f"{unzipped / 2**20 / scan:.0f} MB/秒"
    )
    print(f"  在本进程里解析              {parse_here:6.2f} 秒")
    print(
        f"  在子进程里解析（含传回）    {parse_child:6.2f} 秒  多 {parse_child - parse_here:+.2f} 秒"
        f"（{parse_child / parse_here - 1:+.0%}）"
    )
    print(f"  read_table（检查 + 子进程） {total:6.2f} 秒  比旧做法（本进程直接解析）多 {total / parse_here - 1:+.0%}")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """把本进程的 VmHWM（峰值常驻内存）清零到当前值；不支持时返回 False。"""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _import_boundary(db: Path, raw: bytes, name: str) -> tuple[float, float, str]:
    """在本进程里导入一个边界文件：返回（用时秒，本进程常驻内存涨了多少 MB，结果的第一行）。"""
    from chuangwen.imports import ImportFailed
    from chuangwen.imports.boundaries import run_boundaries

    before = _status_kb("VmRSS")
    peak_ok = _reset_peak()
    start = time.perf_counter()
    try:
        outcome = run_boundaries(db, raw, name).message
    except ImportFailed as exc:
        outcome = f"拒绝：{exc}"
    elapsed = time.perf_counter() - start
    grown = ((_status_kb("VmHWM") if peak_ok else _status_kb("VmRSS")) - before) / 1024
    return elapsed, grown, outcome.splitlines()[0]


def bench_boundaries(folder: Path, db: Path) -> None:
    from chuangwen.imports import boundary_files

    print(
        f"\n恶意的镇街边界文件（在本进程里导入，解析在子进程里；本进程常驻内存的增长上限 {BOUNDARY_PARENT_BAR_MB} MB）："
    )
    print(f"{'文件':<36}{'大小':>12}{'解压后':>10}{'用时':>8}{'本进程增长':>10}  结果")
    started = time.perf_counter()
    files = make_hostile_files.make_boundary_all(folder)
    print(f"（生成用时 {time.perf_counter() - started:.1f} 秒）")
    cases = [(name, path, None) for name, path in files.items()]
    # 把解压上限临时放宽到 400 MB：炸弹过了目录检查，解压、数要素都在子进程里，看本进程是否仍然不涨
    cases.append(("shapefile_bomb.zip（上限放宽到 400 MB）", files["shapefile_bomb.zip"], 400))
    for label, path, cap in cases:
        raw = path.read_bytes()
        unzipped = sum(i.file_size for i in zipfile.ZipFile(path).infolist()) if path.suffix == ".zip" else len(raw)
        saved = boundary_files.MAX_UNZIPPED_MB
        if cap:
            boundary_files.MAX_UNZIPPED_MB = cap
            os.environ["CHUANGWEN_IMPORT_MAX_UNZIPPED_MB"] = str(cap)
        try:
            elapsed, grown, outcome = _import_boundary(db, raw, path.name)
        finally:
            boundary_files.MAX_UNZIPPED_MB = saved
            os.environ.pop("CHUANGWEN_IMPORT_MAX_UNZIPPED_MB", None)
        del raw
        ok = outcome.startswith("拒绝：") and grown <= BOUNDARY_PARENT_BAR_MB
        print(
            f"{label:<36}{path.stat().st_size:>12,}{unzipped / 2**20:>8.0f}MB{elapsed:>7.2f}s{grown:>8.0f}MB  "
            f"{'达标' if ok else '未达标'}"
        )
        print(f"    {outcome[:120]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="正常台账的行数（默认 10 万）")
    parser.add_argument("--dir", type=Path, help="生成文件的目录（默认临时目录）")
    parser.add_argument("--boundaries-only", action="store_true", help="只跑镇街边界文件那一段")
    args = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("提示：无法设为 subreaper，峰值内存只含命令行进程本身", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = base_db(Path(tmp))
        if not args.boundaries_only:
            bench_hostile(folder / "hostile", db)
            bench_overhead(args.rows, folder)
        bench_boundaries(folder / "boundaries", db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
