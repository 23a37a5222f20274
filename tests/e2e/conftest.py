"""浏览器测试：在本机回环地址启动真实的 streamlit 服务器，用 Debian chromium（Playwright 驱动）访问。
所有非回环请求都被拦截并记录，用来证明页面离线可用。"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chuangwen import demo
from tests.e2e.servers import PIDS, SERVERS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
HOSTILE_STREAMLIT_CONFIG = """
[server]
address = "0.0.0.0"
enableStaticServing = false
[client]
showErrorDetails = "full"
toolbarMode = "developer"
[browser]
gatherUsageStats = true
"""


# 浏览器测试以管理员身份访问：offline_page 第一次打开某个测试服务器的网址之前，在服务器的状态库里登录一次，
# 把会话令牌作为 cookie 放进浏览器（与在登录页登录后浏览器拿到的是同一个 cookie）。测登录页本身的测试用没有 cookie 的
# anonymous_page。每个 running_server 登记自己的网址与库（SERVERS），页面据此知道去哪个库登录。
E2E_USER = "e2e-admin"
E2E_PASSWORD = "E2e-口令-2026-测试"


def ensure_account(db_path: Path, name: str = E2E_USER, role: str = "管理员", unit: str | None = None) -> None:
    from chuangwen import accounts

    if accounts.viewer_named(db_path, name) is None:
        accounts.add(db_path, name, role, E2E_PASSWORD, unit_code=unit, units={unit: unit} if unit else {}, by="测试")


def sign_in_cookie(context, origin: str, db_path: Path, name: str = E2E_USER) -> str:
    """在 db_path 的状态库里以 name 登录，把会话 cookie 放进浏览器上下文（对 origin 有效）；返回令牌。"""
    from chuangwen import accounts, signin

    token = accounts.login(db_path, name, E2E_PASSWORD, client="e2e").token
    context.add_cookies(
        [{"name": signin.COOKIE, "value": token, "url": origin, "httpOnly": True, "sameSite": "Strict"}]
    )
    return token


def _browser_path() -> str | None:
    return os.environ.get("CHUANGWEN_BROWSER") or shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    demo.build(path, seed=11, problems=5000)
    return path


@contextlib.contextmanager
def running_server(db_path: Path, log_path: Path):
    """用 `chuangwen serve` 在回环地址启动真实服务器，退出时关闭；输出写日志文件，免得管道写满卡住服务器。

    工作目录是日志旁一个放了相反设置（监听所有网卡、显示堆栈、关静态文件）的 .streamlit/config.toml 的目录：
    每个浏览器测试都同时证明发布的设置与启动目录无关。"""
    port = _free_port()
    ensure_account(db_path)
    env = {**os.environ, "CHUANGWEN_DB": str(db_path)}
    cwd = log_path.parent / "cwd"
    (cwd / ".streamlit").mkdir(parents=True, exist_ok=True)
    (cwd / ".streamlit" / "config.toml").write_text(HOSTILE_STREAMLIT_CONFIG, encoding="utf-8")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chuangwen.cli", "serve", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except (OSError, http.client.HTTPException):  # 含 TCP 自连接读回自己的请求行
                    time.sleep(0.5)
            else:
                raise RuntimeError("streamlit 服务器 60 秒内没有就绪：\n" + log_path.read_text(errors="replace"))
            SERVERS[url], PIDS[url] = db_path, proc.pid
            yield url
        finally:
            SERVERS.pop(url, None)
            PIDS.pop(url, None)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server(e2e_demo_db, tmp_path_factory):
    with running_server(e2e_demo_db, tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    exe = _browser_path()
    if exe is None:
        pytest.fail("没有找到 chromium：请运行 bash scripts/test.sh（会用 apt-get 安装 chromium 和 fonts-noto-cjk）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def offline_page(browser):
    """一个只允许回环地址的页面（以管理员身份登录）；external 记录被拦下的外部请求，dialogs 记录弹出的对话框。"""
    yield from _guarded_page(browser, E2E_USER)


@pytest.fixture
def anonymous_page(browser):
    """同 offline_page，但没有登录：打开页面看到的应当是登录页。"""
    yield from _guarded_page(browser, None)


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def _guarded_page(browser, user: str | None, *, viewport: dict | None = None):
    """只允许回环地址的页面。user 不为 None 时：第一次打开某个测试服务器（SERVERS）的网址之前以 user 登录（cookie）。"""
    context = browser.new_context(viewport=viewport or {"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.external, page.dialogs = [], []
    if user is not None:
        real_goto, signed = page.goto, set()

        def goto(url, **kwargs):
            origin = _origin(url)
            if origin not in signed and origin in SERVERS:
                ensure_account(SERVERS[origin], user)
                sign_in_cookie(context, origin, SERVERS[origin], user)
                signed.add(origin)
            return real_goto(url, **kwargs)

        page.goto = goto

    def on_dialog(dialog):  # alert/confirm/prompt（含地图 iframe 里的）：记下并关掉
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            page.external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# 等条件，不等固定时长：机器忙时固定等待不够，闲时又白等
_QUIET = """() => { const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning' && document.fonts.status === 'loaded'; }"""


def next_frame(page) -> None:
    """等浏览器再画两帧（悬停提示、弹出框、改了视口之后的重排都在下一帧画出）。"""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def settle(page, timeout: int = 60_000) -> None:
    """等页面安静下来：Streamlit 脚本没在运行（stApp 的 data-test-script-state 为 notRunning）、字体加载完、再画完两帧。"""
    page.wait_for_function(_QUIET, timeout=timeout)
    next_frame(page)


def metric_cards(page) -> dict[str, str]:
    """页面上的指标卡：名称 → 显示的值。"""
    cards = page.locator('[data-testid="stMetric"]').all()
    return {
        c.locator('[data-testid="stMetricLabel"]').inner_text().strip(): c.locator(
            '[data-testid="stMetricValue"]'
        ).inner_text()
        for c in cards
    }
