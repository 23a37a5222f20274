"""发布的 nginx 配置转给看板的请求头：身份请求头（内网统一认证，CHUANGWEN_TRUST_USER_HEADER）只转发本机（同机的认证网关）来的，
别处来的一律清空（伪造不了别人的身份）；没开统一认证时谁来的都清空。每个请求都带上本次启动的暗号与 nginx 看到的客户端地址，
客户端自己带的同名请求头被覆盖（X-Forwarded-For 说什么都不影响）。上游换成一个回显请求头的小服务器来看 nginx 转了什么。"""

from __future__ import annotations

import http.client
import http.server
import socket
import subprocess
import threading
import time

import pytest

from chuangwen import server, signin

pytestmark = pytest.mark.e2e


SECRET = "s" * 43


class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 —— http.server 的约定
        seen = [
            self.headers.get(h) or "（空）" for h in ("X-Chuangwen-User", signin.PROXY_HEADER, signin.CLIENT_HEADER)
        ]
        body = "|".join(seen).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(tmp_path, monkeypatch, request):
    """nginx（发布的配置）→ 回显服务器；参数为是否开统一认证。"""
    if server.find_nginx() is None:
        pytest.fail("没有找到 nginx：请运行 bash scripts/test.sh（会用 apt-get 安装）")
    if request.param:
        monkeypatch.setenv("CHUANGWEN_TRUST_USER_HEADER", "X-Chuangwen-User")
    else:
        monkeypatch.delenv("CHUANGWEN_TRUST_USER_HEADER", raising=False)
    echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    port = _free_port()
    runtime = tmp_path / "nginx"
    runtime.mkdir()
    conf = runtime / "nginx.conf"
    user = server.prepare_runtime(runtime)
    conf.write_text(
        server.nginx_config("0.0.0.0", port, [echo.server_address[1]], runtime, secret=SECRET, user=user),
        encoding="utf-8",
    )
    proc = subprocess.Popen([server.find_nginx(), "-c", str(conf), "-p", str(runtime), "-g", "daemon off;"])
    # 等 nginx 真的在听（忙的机器上可能要好一会儿）；它退出了或一直不听就明说，不带着没起来的代理往下跑
    deadline = time.monotonic() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx 没有在端口 {port} 上就绪（退出码 {proc.poll()}）") from None
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    echo.shutdown()


def forwarded(port: int, source: str, claimed: str, **extra: str) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    conn.request("GET", "/", headers={"X-Chuangwen-User": claimed, **extra})
    answer = conn.getresponse().read().decode("utf-8").split("|")
    conn.close()
    return answer


@pytest.mark.parametrize("proxy", [True], indirect=True)
def test_with_sso_on_only_the_local_gateway_may_name_the_user(proxy):
    # 127.0.0.1 是同机的认证网关；127.0.0.2 代表别处来的连接（nginx 看到的 remote_addr 不是 127.0.0.1）
    assert forwarded(proxy, "127.0.0.1", "admin") == ["admin", SECRET, "127.0.0.1"]
    assert forwarded(proxy, "127.0.0.2", "admin") == ["（空）", SECRET, "127.0.0.2"]


@pytest.mark.parametrize("proxy", [True], indirect=True)
def test_a_gateway_that_sets_x_forwarded_for_keeps_the_sign_in_and_cannot_fake_the_secret_or_address(proxy):
    faked = {
        "X-Forwarded-For": "10.20.30.40",
        signin.PROXY_HEADER: "猜的暗号".encode().decode("latin-1"),
        signin.CLIENT_HEADER: "10.20.30.40",
    }
    assert forwarded(proxy, "127.0.0.1", "admin", **faked) == ["admin", SECRET, "127.0.0.1"]


@pytest.mark.parametrize("proxy", [False], indirect=True)
def test_with_sso_off_nobody_may_name_the_user(proxy):
    assert [forwarded(proxy, source, "admin")[0] for source in ("127.0.0.1", "127.0.0.2")] == ["（空）", "（空）"]


@pytest.mark.parametrize("proxy", [False], indirect=True)
def test_nginx_workers_run_without_root_when_started_as_root(proxy):
    import os

    if os.geteuid() != 0:
        pytest.skip("只在以 root 启动时降权")
    uids = {}
    for status in __import__("pathlib").Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if "nginx: worker process" in (status.parent / "cmdline").read_bytes().decode(errors="replace"):
            uids[status.parent.name] = int(
                next(line for line in text.splitlines() if line.startswith("Uid:")).split()[1]
            )
    assert uids and all(uid != 0 for uid in uids.values()), uids
