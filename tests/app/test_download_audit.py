"""页面上的下载（AppTest）：点下载时才生成；生成前再核对登录；每次下载恰好一条审计，带行数与文件散列；
账号停用后打开着的页面点下载什么也不生成，审计记“下载被拒”；生成失败时按钮上方显示中文原因。"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
import streamlit as st
from openpyxl import load_workbook

from chuangwen import accounts, export_png, statedb
from chuangwen.ui import export
from tests.app.conftest import SIGNED_IN, login_token, switch_to


@pytest.fixture
def buttons(monkeypatch):
    """页面画出的下载按钮：key → 点击时执行的函数（Streamlit 点击时在后台线程里调用的就是它）。"""
    found: dict[str, object] = {}
    real = st.download_button

    def capture(label, data=None, *args, key=None, **kwargs):
        if callable(data):
            found[key] = data
        return real(label, data, *args, key=key, **kwargs)

    monkeypatch.setattr(export.st, "download_button", capture)
    return found


def data_rows(content: bytes) -> int:
    """工作簿里各表的数据行数（表头之下、到第一个空行为止）。"""
    book = load_workbook(io.BytesIO(content), read_only=True)
    total = 0
    for sheet in book.worksheets:
        for row in list(sheet.iter_rows(min_row=2, values_only=True)):
            if all(v is None for v in row):
                break
            total += 1
    return total


def last_download(db_path) -> dict:
    return next(e for e in statedb.audit(db_path, 20) if e["action"].startswith("下载"))


def test_the_hotspot_excel_download_is_audited_with_its_row_count_and_hash(app, demo_db, buttons):
    switch_to(app, "app_pages/hotspots.py")
    content = buttons["hs_download"]()
    entry = last_download(demo_db)
    assert (entry["action"], entry["user"], entry["page"], entry["rows"], entry["file_sha256"]) == (
        "下载",
        "测试管理员",
        "问题热点",
        data_rows(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert entry["rows"] > 0


def test_a_png_download_counts_the_points_of_its_figure(app, demo_db, buttons, monkeypatch):
    monkeypatch.setattr(export_png, "available", lambda: True)
    monkeypatch.setattr(export_png, "figure_png", lambda fig, **kw: b"\x89PNG-" + str(export.figure_rows(fig)).encode())
    at = switch_to(app, "app_pages/overview.py")
    content = buttons["ov_png_weekly_flow"]()
    specs = [json.loads(f.proto.spec) for f in at.get("plotly_chart")]
    spec = next(s for s in specs if "近12周" in json.dumps(s, ensure_ascii=False))
    points = sum(len(t.get("x") or t.get("y") or []) for t in spec["data"])
    assert (last_download(demo_db)["rows"], content) == (points, b"\x89PNG-" + str(points).encode())


def test_a_disabled_accounts_open_page_generates_nothing(app, demo_db, buttons):
    app.session_state[SIGNED_IN] = login_token(demo_db, "将停用的领导", "领导")
    switch_to(app, "app_pages/supervision.py")
    make = next(fn for key, fn in buttons.items() if key.startswith("sv_"))
    accounts.set_disabled(demo_db, "将停用的领导", True, by="测试")
    try:
        with pytest.raises(export.DownloadRefused, match="登录已结束或账号有变动"):
            make()
        entry = last_download(demo_db)
        assert (entry["user"], entry["action"], entry["file_sha256"]) == ("将停用的领导", "下载被拒", None)
    finally:
        accounts.set_disabled(demo_db, "将停用的领导", False, by="测试")


def test_a_role_change_also_stops_the_download(app, demo_db, buttons):
    app.session_state[SIGNED_IN] = login_token(demo_db, "将改角色的人", "创建办")
    switch_to(app, "app_pages/hotspots.py")
    accounts.set_role(demo_db, "将改角色的人", "领导", units={}, by="测试")
    with pytest.raises(export.DownloadRefused, match="^登录已结束或账号有变动，没有生成文件。$"):
        buttons["hs_download"]()
    assert last_download(demo_db)["action"] == "下载被拒"


def test_a_failed_png_shows_its_chinese_reason_above_the_button_on_the_next_run(app, demo_db, buttons, monkeypatch):
    monkeypatch.setattr(export_png, "available", lambda: True)

    def hang(fig, **kw):
        raise export_png.RenderFailed("导出图片超时（60 秒）：画图用的浏览器没有按时画完。")

    monkeypatch.setattr(export_png, "figure_png", hang)
    at = switch_to(app, "app_pages/overview.py")
    with pytest.raises(export_png.RenderFailed, match="^导出图片超时"):
        buttons["ov_png_weekly_flow"]()
    at.run()
    assert "导出图片超时（60 秒）：画图用的浏览器没有按时画完。" in [e.value for e in at.error]
    assert last_download(demo_db)["action"] == "下载失败"
