"""chuangwen serve --workers 2：nginx 在前、两个看板进程在后；浏览器拿到粘性 cookie，页面照常（离线）可用，两个进程都在服务；
每个响应带安全响应头，内容安全策略下各页（含地图与图表）照常显示、浏览器没有报违反策略；统一认证的身份请求头经代理来时认
（网关设了 X-Forwarded-For 也一样），直接连看板进程的端口带同样的请求头不认。"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from chuangwen import server
from tests.e2e.conftest import E2E_USER, ROOT, ensure_account
from tests.e2e.servers import SERVERS

USER_HEADER = "X-Remote-User"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def proxied(e2e_demo_db, tmp_path_factory):
    if server.find_nginx() is None:
        pytest.fail("没有找到 nginx：请运行 bash scripts/test.sh（会用 apt-get 安装）")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("workers") / "serve.log"
    ensure_account(e2e_demo_db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuangwen.cli", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "CHUANGWEN_DB": str(e2e_demo_db), "CHUANGWEN_TRUST_USER_HEADER": USER_HEADER},
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200 and "个进程" in log.read_text(errors="replace"):
                    break
        except (OSError, http.client.HTTPException):  # 含 TCP 自连接读回自己的请求行
            pass
        time.sleep(0.5)
    else:
        raise RuntimeError(log.read_text(errors="replace"))
    SERVERS[url] = e2e_demo_db
    yield url, log
    SERVERS.pop(url, None)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_pages_work_through_the_proxy_with_a_sticky_cookie(proxied, offline_page):
    url, log = proxied
    page = offline_page
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert len(cookies.get("cw_worker", "")) == 32
    page.goto(f"{url}/hotspots", wait_until="domcontentloaded")
    page.get_by_role("heading", name="问题热点").first.wait_for(timeout=60_000)
    # 地图（folium 的 iframe）与图表在内容安全策略下照常画出
    page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".leaflet-container").wait_for(
        state="visible", timeout=60_000
    )
    page.goto(f"{url}/rank_trend", wait_until="domcontentloaded")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert (page.external, violations) == ([], [])


def test_every_response_carries_the_security_headers(proxied):
    url, _ = proxied
    for path in ("/", "/_stcore/health", "/no-such-page", "/login", "/_stcore/host-config"):
        try:  # 没登录的页面转到登录页（登录页也带），别的请求 401（也带）
            with urllib.request.urlopen(url + path, timeout=10) as r:
                headers = {k.lower(): v for k, v in r.headers.items()}
        except urllib.error.HTTPError as exc:
            assert exc.code == 401, path
            headers = {k.lower(): v for k, v in exc.headers.items()}
        csp = headers["content-security-policy"]
        assert ("frame-ancestors" in csp, "http:" in csp, "https:" in csp, csp.count("content-security-policy")) == (
            True,
            False,
            False,
            0,
        )
        assert (headers["x-frame-options"], headers["referrer-policy"], headers["x-content-type-options"]) == (
            "SAMEORIGIN",
            "no-referrer",
            "nosniff",
        )


def ports_of(log) -> list[int]:
    text = log.read_text(errors="replace")
    return [int(p) for p in text.split("端口 ")[1].split("，")[0].split("、")]


def signed_in_as(url: str, **headers: str) -> str | None:
    """不带 cookie、只带给定请求头打开总览：进了看板（200）时返回 None，被转去登录页时返回登录页网址。"""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url + "/", headers=headers), timeout=10) as r:
            return None if r.status == 200 else str(r.status)
    except urllib.error.HTTPError as exc:
        return exc.headers.get("location")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_identity_header_counts_through_the_proxy_and_never_on_a_bare_worker_port(proxied):
    url, log = proxied
    gateway = {USER_HEADER: E2E_USER, "X-Forwarded-For": "10.20.30.40"}  # 同机网关，设了真实客户端地址
    assert signed_in_as(url, **gateway) is None
    assert [signed_in_as(f"http://127.0.0.1:{p}", **gateway) for p in ports_of(log)] == ["/login", "/login"]
    assert signed_in_as(url, **{USER_HEADER: "没有这个账号".encode().decode("latin-1")}) == "/login"


def test_an_upload_over_the_cap_is_refused_by_the_proxy(proxied):
    url, _ = proxied
    body = b"x" * ((server.MAX_MB + 3) * 1024 * 1024)
    request = urllib.request.Request(url + "/_stcore/upload_file/x/y", data=body, method="PUT")
    with pytest.raises(urllib.error.HTTPError, match="413"):
        urllib.request.urlopen(request, timeout=30)


def test_both_workers_answer_and_stop_together(proxied):
    url, log = proxied
    ports = ports_of(log)
    assert len(ports) == 2
    for p in ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{p}/_stcore/health", timeout=5) as r:
            assert r.status == 200
