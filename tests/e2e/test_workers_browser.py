"""chuangwen serve --workers 2：nginx 在前、两个看板进程在后；浏览器拿到粘性 cookie，页面照常（离线）可用，两个进程都在服务。"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from chuangwen import server
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def proxied(e2e_demo_db, tmp_path_factory):
    if server.find_nginx() is None:
        pytest.fail("没有找到 nginx：请运行 bash scripts/test.sh（会用 apt-get 安装）")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("workers") / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "chuangwen.cli", "serve", "--port", str(port), "--workers", "2"],
                            env={**os.environ, "CHUANGWEN_DB": str(e2e_demo_db)}, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200 and "个进程" in log.read_text(errors="replace"):
                    break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        raise RuntimeError(log.read_text(errors="replace"))
    yield url, log
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def test_pages_work_through_the_proxy_with_a_sticky_cookie(proxied, offline_page):
    url, log = proxied
    page = offline_page
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text("未销号问题").first.wait_for(timeout=60_000)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert len(cookies.get("cw_worker", "")) == 32
    page.goto(f"{url}/hotspots", wait_until="domcontentloaded")
    page.get_by_role("heading", name="问题热点").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def test_both_workers_answer_and_stop_together(proxied):
    url, log = proxied
    text = log.read_text(errors="replace")
    ports = [int(p) for p in text.split("端口 ")[1].split("，")[0].split("、")]
    assert len(ports) == 2
    for p in ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{p}/_stcore/health", timeout=5) as r:
            assert r.status == 200
