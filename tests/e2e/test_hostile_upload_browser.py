"""数据管理页上传恶意文件（2 KB 的 XFD1048576 工作簿、ZZ200000、共享字符串炸弹、50 MB 单格的 CSV）时，
另一个会话正开着总览：每个文件都得到中文说明，服务器一直在，另一个会话照常刷新、数字不变。"""
from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import running_server, sign_in_cookie
from tests.e2e.servers import SERVERS

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
    return page.locator('[data-testid="stMetric"]', has_text="未销号问题").locator(
        '[data-testid="stMetricValue"]').inner_text()


def test_hostile_uploads_get_chinese_messages_and_the_server_keeps_serving(bomb_server, browser, tmp_path, artifacts):
    viewer_ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    admin_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    for ctx in (viewer_ctx, admin_ctx):
        sign_in_cookie(ctx, bomb_server, SERVERS[bomb_server])
    viewer, admin = viewer_ctx.new_page(), admin_ctx.new_page()
    try:
        viewer.goto(bomb_server, wait_until="domcontentloaded")
        viewer.get_by_text("未销号问题").first.wait_for(timeout=60_000)
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
            viewer.get_by_text("未销号问题").first.wait_for(timeout=60_000)
            assert open_problems(viewer) == before
        assert admin.locator('[data-testid="stException"]').count() == 0
    finally:
        viewer_ctx.close()
        admin_ctx.close()
