"""真实服务器（chuangwen serve，从放了相反 config.toml 的目录启动）：只听本机、离线素材照常提供（其余设置的实际生效值由 tests/unit/test_server.py 核对）。"""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest

from chuangwen import assets

pytestmark = pytest.mark.e2e


def _own_addresses() -> list[str]:
    """本机的非回环 IPv4 地址（`ip -4 -o addr`）；没有网卡时为空。"""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = [line.split()[3].split("/")[0] for line in out.splitlines() if len(line.split()) > 3]
    return [a for a in found if not a.startswith("127.")]


def test_static_assets_are_served_although_the_folder_config_turns_them_off(server, e2e_demo_db):
    from chuangwen import accounts, signin
    from tests.e2e.conftest import E2E_PASSWORD, E2E_USER

    token = accounts.login(e2e_demo_db, E2E_USER, E2E_PASSWORD, client="e2e").token  # 离线素材也只给登录的人
    request = urllib.request.Request(server + assets.LEAFLET_JS, headers={"Cookie": f"{signin.COOKIE}={token}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 200 and len(r.read()) > 100_000
    with pytest.raises(urllib.error.HTTPError, match="401"):
        urllib.request.urlopen(server + assets.LEAFLET_JS, timeout=10)


def test_server_listens_on_loopback_only(server):
    port = urlparse(server).port
    for address in _own_addresses():
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, port)) != 0, f"服务器在 {address}:{port} 上也能连上"
