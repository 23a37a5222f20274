"""页面测试夹具：一次构建的小示例库（3,000 条问题），每个测试通过 CHUANGWEN_DB 指向它。"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chuangwen import accounts, demo
from chuangwen.ui import login
from tests import apptest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = str(ROOT / "dashboard.py")
# 画框里登记的全部页面（页面测试与恶意网址测试都逐页跑）
PAGES = [
    "app_pages/overview.py",
    "app_pages/rank_trend.py",
    "app_pages/hotspots.py",
    "app_pages/league.py",
    "app_pages/supervision.py",
    "app_pages/loss_risk.py",
    "app_pages/data_admin.py",
    "app_pages/briefing.py",
]


TEST_PASSWORD = "Test-测试口令-2026"


# AppTest 没有 WebSocket 握手，st.context.cookies 是空的：测试把会话令牌放在 session_state 的这个键里，
# 下面的夹具让页面读 cookie 的那个函数改读它（只在测试里这样换；产品代码只认真正的 cookie）
SIGNED_IN = "_test_session_cookie"


def login_token(db_path: Path, name: str = "测试管理员", role: str = "管理员", unit: str | None = None) -> str:
    """库旁状态库里的这个账号（没有就新建）登录一次，返回令牌：放进 AppTest 的 session_state[SIGNED_IN] 就是登录了。"""
    if accounts.viewer_named(db_path, name) is None:
        accounts.add(db_path, name, role, TEST_PASSWORD, unit_code=unit, units={unit: unit} if unit else {}, by="测试")
    return accounts.login(db_path, name, TEST_PASSWORD).token


@pytest.fixture(autouse=True)
def _logged_in_as_admin(monkeypatch):
    """页面测试默认以管理员登录：每个 AppTest 建好时就带着 CHUANGWEN_DB 那个库的管理员会话（当作浏览器的 cookie）。
    测登录本身与各角色的测试自己换掉或删掉 session_state[SIGNED_IN]。"""
    import streamlit as st

    from chuangwen import signin

    real = AppTest.from_file

    def from_file(cls, *args, **kwargs):
        at = real(*args, **kwargs)
        path = os.environ.get("CHUANGWEN_DB")
        if path:
            at.session_state[SIGNED_IN] = login_token(Path(path))
        return at

    monkeypatch.setattr(AppTest, "from_file", classmethod(from_file))
    monkeypatch.setattr(AppTest, "switch_page", apptest.switch_page)
    monkeypatch.setattr(
        login,
        "_request_cookies",
        lambda: {signin.COOKIE: st.session_state[SIGNED_IN]} if SIGNED_IN in st.session_state else {},
    )


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path, seed=7, problems=3000)
    return path


@pytest.fixture
def app(demo_db, monkeypatch):
    """从 dashboard.py 启动的 AppTest（总览页），数据库为小示例库。"""
    monkeypatch.setenv("CHUANGWEN_DB", str(demo_db))
    monkeypatch.delenv("CHUANGWEN_TARGET_RANK", raising=False)
    return AppTest.from_file(DASHBOARD, default_timeout=60)


def switch_to(app: AppTest, page: str) -> AppTest:
    """先跑画框，再切到 app_pages/ 里的某一页；页面不许抛异常。"""
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception, page
    return at
