"""常驻导出进程（kaleido + Chromium）出事之后：浏览器被杀掉，下一次导出自动重起；卡住超时报中文错误、下一次照常；
起不来时说缺什么。要真的 Chromium（CI 装了；本机没有时跳过）。等的都是条件，不睡固定的时间；只断言“在时限内完成”。"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image

from chuangwen import export_png, settings

# 重起一次再画一张的上限：起浏览器的时限 + 一张图的时限（都是声明的，不是量出来的）
LIMIT = export_png.START_SECONDS + settings.get("png_timeout_seconds")


@pytest.fixture(autouse=True)
def _own_renderer():
    """每个测试从没有导出进程开始、结束时关掉，互不影响；同一张图的缓存也清掉，保证真的去画。"""
    export_png.stop()
    export_png._png_of_json.cache_clear()
    yield
    export_png.stop()
    export_png._png_of_json.cache_clear()


@pytest.fixture
def chromium():
    if not export_png.available():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(export_png.INSTALL_HINT)


def bar(n: int) -> go.Figure:
    return go.Figure(go.Bar(x=["甲", "乙"], y=[n, n + 1]))


def png_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.size


def _stat(pid: int) -> tuple[str, int] | None:
    """（状态, 父进程号）；进程已不在时为 None。"""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def running(pids) -> set[int]:
    """这些进程里还在运行（不是僵尸）的。"""
    return {p for p in pids if (s := _stat(p)) is not None and s[0] != "Z"}


def descendants(root: int) -> set[int]:
    parents = {int(p): s[1] for p in os.listdir("/proc") if p.isdigit() and (s := _stat(int(p))) is not None}
    found, frontier = set(), {root}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def chromium_processes() -> set[int]:
    """本进程（经 choreographer 的包装进程）起的、还在运行的 Chromium 进程。"""
    return {p for p in running(descendants(os.getpid())) if _read(f"/proc/{p}/comm").startswith(("chromium", "chrome"))}


def wrapper_processes() -> set[int]:
    """还在运行的 choreographer 包装进程（一个导出进程一个）。"""
    return {
        p for p in running(descendants(os.getpid())) if "_unix_pipe_chromium_wrapper" in _read(f"/proc/{p}/cmdline")
    }


def signal_all(pids, sig) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def finish_within(seconds: float, make):
    """在另一个线程里做（像 Streamlit 的会话线程），最多等 seconds 秒；没做完算失败（卡住了），出错原样抛出。"""
    box: dict = {}

    def run():
        try:
            box["value"] = make()
        except BaseException as exc:  # noqa: BLE001  交回测试线程
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{seconds} 秒还没完成：导出卡住了"
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.mark.parametrize("noticed", [False, True], ids=["right_away", "after_the_wrapper_exited"])
def test_after_the_browser_is_killed_the_next_export_restarts_it(chromium, noticed):
    # 马上再导出（浏览器的死讯还没传到：这一张中途失败，换一个再画）；或等包装进程也退出之后（导出前就看出它死了）
    assert png_size(export_png.figure_png(bar(1), width=300, height=200, scale=1)) == (300, 200)
    killed, wrappers = chromium_processes(), wrapper_processes()
    assert killed and len(wrappers) == 1
    signal_all(killed, signal.SIGKILL)
    if noticed:
        assert wait_until(lambda: not running(wrappers), export_png.STOP_SECONDS)
    png = finish_within(LIMIT, lambda: export_png.figure_png(bar(2), width=320, height=210, scale=1))
    assert png_size(png) == (320, 210)
    now = chromium_processes()
    assert now and not now & killed


def test_sessions_exporting_at_once_after_a_kill_share_one_new_browser(chromium):
    export_png.figure_png(bar(3), width=300, height=200, scale=1)
    killed = chromium_processes()
    signal_all(killed, signal.SIGKILL)
    sizes = [(300 + 20 * i, 200 + 10 * i) for i in range(4)]
    results: list = [None] * len(sizes)

    def export(i: int) -> None:
        results[i] = export_png.figure_png(bar(10 + i), width=sizes[i][0], height=sizes[i][1], scale=1)

    workers = [threading.Thread(target=export, args=(i,), daemon=True) for i in range(len(sizes))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(LIMIT * len(sizes))
    assert [w.is_alive() for w in workers] == [False] * len(sizes)
    assert [png_size(r) for r in results] == sizes
    assert len(wrapper_processes()) == 1  # 只重起了一个


def test_an_export_over_the_time_limit_fails_in_chinese_and_the_next_one_works(chromium, monkeypatch):
    export_png.figure_png(bar(4), width=300, height=200, scale=1)
    stuck = chromium_processes()
    assert stuck
    signal_all(stuck, signal.SIGSTOP)  # 浏览器卡住：不再回应
    monkeypatch.setenv("CHUANGWEN_PNG_TIMEOUT", "1")
    try:
        with pytest.raises(
            export_png.RenderFailed, match=r"^导出图片超时（1 秒）：.*下一次导出会重新启动它，请再试一次"
        ):
            finish_within(LIMIT, lambda: export_png.figure_png(bar(5), width=300, height=200, scale=1))
        # 卡住的那一组已被杀掉（SIGKILL 对停住的进程也有效），不留在机器上
        assert wait_until(lambda: not running(stuck), export_png.STOP_SECONDS)
    finally:
        signal_all(running(stuck), signal.SIGKILL)
    monkeypatch.delenv("CHUANGWEN_PNG_TIMEOUT")
    png = finish_within(LIMIT, lambda: export_png.figure_png(bar(5), width=330, height=220, scale=1))
    assert png_size(png) == (330, 220)


def test_the_timeout_is_a_declared_setting(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_PNG_TIMEOUT", "5")
    assert settings.get("png_timeout_seconds") == 5
    monkeypatch.delenv("CHUANGWEN_PNG_TIMEOUT")
    assert settings.get("png_timeout_seconds") == 60


def test_a_browser_that_cannot_start_names_the_missing_library(tmp_path, monkeypatch):
    fake = tmp_path / "chromium"
    fake.write_text(
        "#!/bin/sh\necho 'chromium: error while loading shared libraries: libnss3.so: "
        "cannot open shared object file: No such file or directory' >&2\nexit 127\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    with pytest.raises(
        export_png.PngUnavailable, match=rf"^导出图片用的浏览器没能启动：{fake}，缺少它运行所需的系统库 libnss3\.so"
    ):
        finish_within(LIMIT, lambda: export_png.figure_png(bar(6), scale=1))


def test_without_kaleido_the_message_says_to_install_it(monkeypatch):
    monkeypatch.setattr(export_png, "find_browser", lambda: "/usr/bin/chromium")
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido → ImportError
    with pytest.raises(export_png.PngUnavailable, match=r"^导出图片需要 Python 包 kaleido.*pip install kaleido"):
        export_png.figure_png(bar(7), scale=1)
