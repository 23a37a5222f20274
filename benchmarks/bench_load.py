"""负载：N 个并发会话（Streamlit 的 WebSocket 客户端，和浏览器说同一套协议）轮流打开总览、问题热点、红黑榜、整改督办，
跑到时限自动停；中途用命令行导入一批问题、发布一个新版本。同一次运行里比较 --workers 1 与 --workers 2。

每个会话一条 WebSocket 连接，像浏览器在页面间切换那样连续发“运行某页”的请求，等到 script_finished 为一次页面运行。
打印：错误数、每页 p50/p95、每秒页面数、服务器 RSS（看板进程与 nginx 之和）、混读：
每次页面运行读出侧栏的“数据版本：第 N 版”和全部指标卡；同一页同一版本的指标卡应完全相同，不同于该版本众数的就是混读了两个版本。

用法：python benchmarks/bench_load.py [--sessions 30] [--seconds 120] [--workers 1,2] [--light-sessions 10 --light-seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from chuangwen import accounts, demo, signin  # noqa: E402
from tests.unit._import_helpers import HEADER, csv_bytes  # noqa: E402

PAGES = {"": "总览", "hotspots": "问题热点", "league": "红黑榜", "supervision": "整改督办"}
RUN_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """服务器（看板进程与 nginx）用掉的 CPU 秒数：各进程 utime + stime 之和。"""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in descendants(pid):
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / tick


async def page_run(ws, page: str) -> dict:
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = page
    started = time.perf_counter()
    await ws.send(msg.SerializeToString())
    version, metrics, error = None, [], None
    while True:
        raw = await asyncio.wait_for(ws.recv(), RUN_TIMEOUT)
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            et = el.WhichOneof("type")
            if et == "markdown" and el.markdown.body.startswith("数据版本："):
                version = el.markdown.body.removeprefix("数据版本：")
            elif et == "metric":
                metrics.append((el.metric.label, el.metric.body))
            elif et == "exception":
                error = el.exception.message[:120]
            elif et == "alert" and el.alert.format == Alert.ERROR:  # 页面自己报的错（如“无法打开数据库”）
                error = error or el.alert.body[:120]
        elif kind == "page_not_found":
            error = "page_not_found"
        elif kind == "script_finished":
            if fm.script_finished not in (0,):
                error = error or f"script_finished={fm.script_finished}"
            return {
                "page": page,
                "seconds": time.perf_counter() - started,
                "version": version,
                "metrics": tuple(metrics),
                "error": error,
            }


LOAD_USER, LOAD_PASSWORD = "load-admin", "Load-口令-2026-基准"


async def session(url: str, deadline: float, offset: int, results: list, cookie: str) -> None:
    pages = list(PAGES)
    k = offset
    while time.monotonic() < deadline:
        try:
            async with websockets.connect(
                url,
                subprotocols=["streamlit"],
                origin=url.replace("ws://", "http://").split("/_stcore")[0],
                max_size=None,
                open_timeout=30,
                ping_interval=None,
                additional_headers={"Cookie": cookie},
            ) as ws:
                while time.monotonic() < deadline:
                    page = pages[k % len(pages)]
                    k += 1
                    results.append(await page_run(ws, page))
        except Exception as exc:  # 连接断了、超时：记一次错误，重连
            results.append(
                {
                    "page": pages[(k - 1) % len(pages)],
                    "seconds": float("nan"),
                    "version": None,
                    "metrics": (),
                    "error": f"{type(exc).__name__}: {str(exc)[:80]}",
                }
            )
            await asyncio.sleep(0.5)


def start_server(db_path: Path, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # 模拟的会话以一个管理员账号登录（load_cookie 给每个会话一个登录 cookie，与浏览器在登录页登录后拿到的一样）
    if accounts.viewer_named(db_path, LOAD_USER) is None:
        accounts.add(db_path, LOAD_USER, "管理员", LOAD_PASSWORD, units={}, by="基准")
    env = {**os.environ, "CHUANGWEN_DB": str(db_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuangwen.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"服务器没有就绪，见 {log}")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def new_ledger(folder: Path) -> Path:
    rows = [
        {
            "问题编号": f"LOAD-{k:04d}",
            "发现时间": "2026-11-15 09:00",
            "来源": "县自查",
            "问题类别": "暴露垃圾",
            "镇街": "澜城街道",
            "问题描述": "负载测试中途导入",
            "严重程度": "一般",
            "牵头单位": "城管局",
            "整改状态": "已交办",
            "整改期限": "2026-11-30 18:00",
        }
        for k in range(60)
    ]
    path = folder / "中途导入.csv"
    path.write_bytes(csv_bytes(rows, header=[h for h in HEADER if h in rows[0]]))
    return path


def load_cookie(db_path: Path) -> str:
    """一个登录会话的 cookie（每个模拟会话各登录一次，就像各自的浏览器）。"""
    return f"{signin.COOKIE}={accounts.login(db_path, LOAD_USER, LOAD_PASSWORD, client='基准').token}"


async def drive(url: str, sessions: int, seconds: float, db_path: Path, midway=None) -> list:
    results: list = []
    deadline = time.monotonic() + seconds
    cookies = [load_cookie(db_path) for _ in range(sessions)]
    tasks = [asyncio.create_task(session(url, deadline, k, results, cookies[k])) for k in range(sessions)]
    if midway is not None:
        await asyncio.sleep(seconds / 2)
        midway_result = await asyncio.to_thread(midway)
        results.append(
            {
                "page": "(导入)",
                "seconds": midway_result[1],
                "version": None,
                "metrics": (),
                "error": None if midway_result[0] == 0 else f"导入退出码 {midway_result[0]}",
            }
        )
    await asyncio.gather(*tasks)
    return results


def pct(values: list[float], q: float) -> float:
    values = sorted(v for v in values if v == v)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def report(label: str, results: list, seconds: float, rss: float, cpu: float) -> dict:
    runs = [r for r in results if r["page"] != "(导入)"]
    errors = [r for r in results if r["error"]]
    canon = {}
    groups = collections.defaultdict(list)
    for r in runs:
        if not r["error"]:
            groups[(r["page"], r["version"])].append(r["metrics"])
    for key, tuples in groups.items():
        canon[key] = collections.Counter(tuples).most_common(1)[0][0]
    mixed = [
        r for r in runs if not r["error"] and (r["version"] is None or r["metrics"] != canon[(r["page"], r["version"])])
    ]
    versions = sorted({r["version"] for r in runs if r["version"]})
    ok = [r for r in runs if not r["error"]]
    print(
        f"\n== {label}：{len(runs)} 次页面运行，{len(ok) / seconds:.2f} 页/秒，错误 {len(errors)}，混读 {len(mixed)}，"
        f"读到的版本：{'、'.join(versions)}，服务器 RSS {rss:,.0f} MB，"
        f"服务器 CPU 每次页面运行 {cpu / max(len(ok), 1) * 1000:,.0f} 毫秒"
    )
    for page, name in PAGES.items():
        times = [r["seconds"] for r in ok if r["page"] == page]
        print(f"   {name:<6} {len(times):>5} 次  p50 {pct(times, 0.5):6.2f} s  p95 {pct(times, 0.95):6.2f} s")
    for r in errors[:5]:
        print(f"   错误：{PAGES.get(r['page'], r['page'])}：{r['error']}")
    for r in mixed[:5]:
        expected = canon.get((r["page"], r["version"]), ())
        diff = [f"{a[0]}={a[1]}（该版本多数为 {b[1]}）" for a, b in zip(r["metrics"], expected) if a != b]
        print(
            f"   混读：{PAGES[r['page']]}，版本 {r['version']}："
            + ("；".join(diff) or f"指标卡 {len(r['metrics'])} 个，多数为 {len(expected)} 个")
        )
    return {
        "pps": len(ok) / seconds,
        "errors": len(errors),
        "mixed": len(mixed),
        "p95": {PAGES[p]: pct([r["seconds"] for r in ok if r["page"] == p], 0.95) for p in PAGES},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--light-sessions", type=int, default=10)
    parser.add_argument("--light-seconds", type=float, default=60)
    parser.add_argument("--problems", type=int, default=20000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="load-"))
    base = work / "base.duckdb"
    demo.build(base, problems=args.problems)
    ledger = new_ledger(work)
    summary = {}
    plans = [(int(w), args.sessions, args.seconds, True) for w in args.workers.split(",")]
    if args.light_sessions:
        plans.append((2, args.light_sessions, args.light_seconds, False))
    for workers, sessions, seconds, with_import in plans:
        db_path = work / f"w{workers}-s{sessions}" / "office.duckdb"
        db_path.parent.mkdir()
        shutil.copyfile(base, db_path)
        proc, port = start_server(db_path, workers, db_path.parent / "serve.log")
        url = f"ws://127.0.0.1:{port}/_stcore/stream"
        try:
            asyncio.run(drive(url, 2, 8, db_path))  # 预热：每页各跑一遍，缓存与连接就绪（不计入）

            def midway(db_path=db_path):
                t0 = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "chuangwen.cli", "import", "problems", str(ledger), "--db", str(db_path)],
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                return done.returncode, time.perf_counter() - t0

            cpu0 = cpu_seconds(proc.pid)
            results = asyncio.run(drive(url, sessions, seconds, db_path, midway if with_import else None))
            rss, cpu = rss_mb(proc.pid), cpu_seconds(proc.pid) - cpu0
        finally:
            stop_server(proc)
        label = f"--workers {workers}，{sessions} 个会话 {seconds:.0f} 秒" + ("，中途导入" if with_import else "")
        summary[(workers, sessions)] = report(label, results, seconds, rss, cpu)
    one, two = summary.get((1, args.sessions)), summary.get((2, args.sessions))
    if one and two:
        print(f"\n每秒页面数：--workers 2 是 --workers 1 的 {two['pps'] / one['pps']:.2f} 倍（目标 ≥ 1.6）")
    light = summary.get((2, args.light_sessions))
    if light:
        worst = max(light["p95"].items(), key=lambda kv: kv[1])
        print(f"{args.light_sessions} 个会话、--workers 2：各页 p95 最慢为{worst[0]} {worst[1]:.2f} 秒（目标 ≤ 3 秒）")
    bad = sum(s["errors"] + s["mixed"] for s in summary.values())
    print(f"全部：错误 + 混读 = {bad}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
