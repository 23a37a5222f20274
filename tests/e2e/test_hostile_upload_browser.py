"""数据管理页上传恶意文件（2 KB 的 XFD1048576 工作簿、ZZ200000、共享字符串炸弹、50 MB 单格的 CSV；镇街边界：读服务器私密文件的
OGR VRT、让服务器去取本机地址的 VRT、200 万个多边形的压缩 Shapefile）时，另一个会话正开着总览：每个文件都得到中文说明，
文件内容与本机地址的回答都不出现在页面上、本机地址没有收到请求，服务器一直在、内存增长不超过 300 MB，另一个会话照常刷新、数字不变。"""

from __future__ import annotations

import http.server
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import running_server, sign_in_cookie
from tests.e2e.servers import PIDS, SERVERS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import make_hostile_files as hostile  # noqa: E402

pytestmark = pytest.mark.e2e

ZONE = '.st-key-dm_file [data-testid="stFileUploaderDropzone"]'
FILES = {  # 文件 → 页面上应出现的中文说明里的一段
    hostile.make_xfd1048576: "最远的单元格 XFD1048576），超过上限 1,000,000 行",
    hostile.make_zz200000: "最远的单元格 ZZ200000），超过上限 200 列",
    hostile.make_shared_strings_bomb: "压缩比异常",
    hostile.make_csv_huge_cell: "第 2 行有单元格超过 32,767 个字符",
}


@pytest.fixture(scope="module")
def bomb_server(e2e_demo_db, tmp_path_factory):
    with running_server(e2e_demo_db, tmp_path_factory.mktemp("bombs") / "streamlit.log") as url:
        yield url


def open_problems(page) -> str:
    return (
        page.locator('[data-testid="stMetric"]', has_text="在办问题（存量）")
        .locator('[data-testid="stMetricValue"]')
        .inner_text()
    )


def test_hostile_uploads_get_chinese_messages_and_the_server_keeps_serving(bomb_server, browser, tmp_path, artifacts):
    viewer_ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    admin_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    for ctx in (viewer_ctx, admin_ctx):
        sign_in_cookie(ctx, bomb_server, SERVERS[bomb_server])
    viewer, admin = viewer_ctx.new_page(), admin_ctx.new_page()
    try:
        viewer.goto(bomb_server, wait_until="domcontentloaded")
        viewer.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
        before = open_problems(viewer)
        admin.goto(f"{bomb_server}/data_admin", wait_until="domcontentloaded")
        admin.locator(ZONE).wait_for(timeout=60_000)
        for make, fragment in FILES.items():
            path = make(tmp_path)
            admin.locator(f'{ZONE} [data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
            alert = admin.locator('[data-testid="stAlertContentError"]', has_text=path.name).first
            alert.wait_for(timeout=60_000)
            text = alert.inner_text().replace("\u200b", "")
            assert fragment in text and path.name in text, text
            admin.screenshot(path=str(artifacts / f"hostile_upload_{path.stem}.png"))
            # 服务器还在，另一个会话照常：刷新后数字不变
            with urllib.request.urlopen(f"{bomb_server}/_stcore/health", timeout=10) as r:
                assert r.status == 200
            viewer.reload(wait_until="domcontentloaded")
            viewer.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
            assert open_problems(viewer) == before
        assert admin.locator('[data-testid="stException"]').count() == 0
    finally:
        viewer_ctx.close()
        admin_ctx.close()


MARKER = "服务器私密-7f3a9c"


def rss_mb(pid: int) -> float:
    """进程及其子进程（nginx 以外的看板就是它自己与导入解析的子进程，那些用完即退）此刻的常驻内存，MB。"""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def server_pid(url: str) -> int:
    """chuangwen serve 用 execve 换成 streamlit 进程：进程号不变。"""
    return PIDS[url]


def test_hostile_boundary_files_read_nothing_fetch_nothing_and_the_server_keeps_serving(
    bomb_server, browser, tmp_path, artifacts
):
    secret = tmp_path / "secret.csv"
    secret.write_text(f"id,key\n1,{MARKER}\n", encoding="utf-8")
    secret.chmod(0o600)
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = f"id,body\n1,{MARKER}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    loop = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=loop.serve_forever, daemon=True).start()
    files = {
        "读服务器文件.geojson": hostile.vrt_reading(secret),
        "取本机地址.geojson": hostile.vrt_fetching(f"http://127.0.0.1:{loop.server_address[1]}/data.csv"),
        "坐标系链接.geojson": hostile.geojson_crs_link(f"http://127.0.0.1:{loop.server_address[1]}/crs.wkt"),
    }
    paths = []
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
        paths.append(tmp_path / name)
    paths.append(hostile.make_shapefile_bomb(tmp_path))
    viewer_ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    admin_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    for ctx in (viewer_ctx, admin_ctx):
        sign_in_cookie(ctx, bomb_server, SERVERS[bomb_server])
    viewer, admin = viewer_ctx.new_page(), admin_ctx.new_page()
    try:
        viewer.goto(bomb_server, wait_until="domcontentloaded")
        viewer.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
        before = open_problems(viewer)
        admin.goto(f"{bomb_server}/data_admin", wait_until="domcontentloaded")
        admin.locator(ZONE).wait_for(timeout=60_000)
        admin.get_by_role("combobox", name="导入什么").click()
        admin.get_by_role("option", name="镇街边界").click()
        zone = '.st-key-dm_geo_file [data-testid="stFileUploaderDropzone"]'
        admin.locator(zone).wait_for(timeout=60_000)
        start = rss_mb(server_pid(bomb_server))
        peak, stop = [start], threading.Event()

        def sample() -> None:  # 一直量服务器进程的内存，记下最高
            while not stop.is_set():
                peak.append(rss_mb(server_pid(bomb_server)))
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for path in paths:
            admin.locator(f'{zone} [data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
            admin.get_by_role("button", name="导入边界").click()
            alert = admin.locator('[data-testid="stAlertContentError"]').first
            alert.wait_for(timeout=120_000)
            text = alert.inner_text().replace("\u200b", "")
            assert path.name in text or "边界" in text, text
            assert MARKER not in admin.content(), path.name
            admin.screenshot(path=str(artifacts / f"hostile_boundary_{path.stem}.png"))
            with urllib.request.urlopen(f"{bomb_server}/_stcore/health", timeout=10) as r:
                assert r.status == 200
            viewer.reload(wait_until="domcontentloaded")
            viewer.get_by_text("在办问题（存量）").first.wait_for(timeout=60_000)
            assert open_problems(viewer) == before
            admin.reload(wait_until="domcontentloaded")
            admin.get_by_role("combobox", name="导入什么").wait_for(timeout=60_000)
            admin.get_by_role("combobox", name="导入什么").click()
            admin.get_by_role("option", name="镇街边界").click()
            admin.locator(zone).wait_for(timeout=60_000)
        stop.set()
        sampler.join()
        assert (hits, max(peak) - start <= 300) == ([], True), (hits, start, max(peak))
    finally:
        viewer_ctx.close()
        admin_ctx.close()
        loop.shutdown()
