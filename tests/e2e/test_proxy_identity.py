"""发布的 nginx 配置对身份请求头（内网统一认证，CHUANGWEN_TRUST_USER_HEADER）：只转发本机（同机的认证网关）来的，
别处来的一律清空（伪造不了别人的身份）；没开统一认证时谁来的都清空。上游换成一个回显请求头的小服务器来看 nginx 转了什么。"""
from __future__ import annotations

import http.client
import http.server
import socket
import subprocess
import threading
import time

import pytest

from chuangwen import server

pytestmark = pytest.mark.e2e


class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802（http.server 的约定）
        body = (self.headers.get("X-Chuangwen-User") or "（空）").encode("utf-8")
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
    conf.write_text(server.nginx_config("0.0.0.0", port, [echo.server_address[1]], runtime), encoding="utf-8")
    proc = subprocess.Popen([server.find_nginx(), "-c", str(conf), "-p", str(runtime), "-g", "daemon off;"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    echo.shutdown()


def forwarded(port: int, source: str, claimed: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    conn.request("GET", "/", headers={"X-Chuangwen-User": claimed})
    answer = conn.getresponse().read().decode("utf-8")
    conn.close()
    return answer


@pytest.mark.parametrize("proxy", [True], indirect=True)
def test_with_sso_on_only_the_local_gateway_may_name_the_user(proxy):
    # 127.0.0.1 是同机的认证网关；127.0.0.2 代表别处来的连接（nginx 看到的 remote_addr 不是 127.0.0.1）
    assert (forwarded(proxy, "127.0.0.1", "admin"), forwarded(proxy, "127.0.0.2", "admin")) == ("admin", "（空）")


@pytest.mark.parametrize("proxy", [False], indirect=True)
def test_with_sso_off_nobody_may_name_the_user(proxy):
    assert (forwarded(proxy, "127.0.0.1", "admin"), forwarded(proxy, "127.0.0.2", "admin")) == ("（空）", "（空）")
